"""What validators know besides the extraction: the folio, the intake date and the rule set.

Validators are pure: everything they need, including what storage knows (other folios' UUIDs),
arrives here, so that the same inputs always give the same findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain.config import Ruleset
from domain.extractions import Extraction, TextInfo
from domain.findings import Finding
from domain.folio import FolioManifest
from domain.kinds import DocumentKind


@dataclass(frozen=True)
class DocumentContext:
    manifest: FolioManifest
    as_of: date  # the intake date: `received_at`, or --as-of
    ruleset: Ruleset
    file_name: str
    media_type: str  # sniffed from the bytes: application/pdf, application/xml, image/jpeg, ...
    # UUID -> folio that already submitted it (from storage's UUID index), for CFDI-012.
    known_uuids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluatedDocument:
    """One document after its own rules ran: what folio-level rules (completeness, pairing,
    counting) look at."""

    file: str
    kind: DocumentKind
    accepted: bool  # no `reject` finding of its own (a warning keeps it accepted)
    extraction: Extraction | None = None
    duplicate_of: str | None = None  # PKG-007: same bytes as that file, kept once
    read: bool = True  # False when packaging refused the file before its content was read


class HasTextInfo(Protocol):
    @property
    def text_info(self) -> TextInfo: ...


class ReadResult(Protocol):
    """What validators read of one read document (an extractors.ReadDocument, which validators
    may not import): why it could not be opened, or its text's provenance, kind, extraction and
    kind-specific parse result (for a CFDI: schema and seal results)."""

    @property
    def kind(self) -> DocumentKind: ...

    @property
    def unreadable(self) -> str | None: ...

    @property
    def content(self) -> HasTextInfo | None: ...

    @property
    def extraction(self) -> Any: ...

    @property
    def parsed(self) -> Any: ...


# A kind's own document-level rules (extractors.kinds holds which kind has which).
KindRules = Callable[[ReadResult, DocumentContext], list[Finding]]
