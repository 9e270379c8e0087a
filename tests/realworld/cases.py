"""One labelled file: its bytes, the kind a person would give it, and the fields they would
read from it (the extraction's field names; values as strings, lists as lists of strings)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    name: str  # file name as a claimant would upload it
    data: bytes
    kind: str  # DocumentKind value
    group: str  # "digital" | "scanned" (scans and phone photos)
    layout: str  # e.g. "bank:nu-personal-1p", "csf:sat-2024"
    expected: dict[str, object] = field(default_factory=dict)  # field -> value a clerk reads
