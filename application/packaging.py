"""The packaging step: what is wrong with the files as files (type, name, size, duplicates,
folio-wide limits), and which of them are worth reading."""

from __future__ import annotations

from dataclasses import dataclass

from domain.config import Ruleset
from domain.findings import Finding
from validators import packaging

from .originals import StoredFolio


@dataclass
class PackagingResult:
    folio_findings: list[Finding]
    file_findings: dict[str, list[Finding]]
    to_read: list[str]  # files whose content is read: right type, not a duplicate
    duplicates: dict[str, str]  # repeated file -> first file with the same bytes

    @property
    def refused_whole(self) -> bool:
        return bool(self.folio_findings)


def check_packaging(stored: StoredFolio, ruleset: Ruleset) -> PackagingResult:
    """PKG-004/005 refuse the folio whole; otherwise each file's own findings and the files to read."""
    limits = packaging.folio_limits(stored.files, ruleset)
    if limits:  # PKG-004/005: stored, not evaluated; that finding is the whole answer
        return PackagingResult(limits, {}, [], {})
    duplicates = packaging.find_duplicates(stored.files)
    file_findings: dict[str, list[Finding]] = {}
    to_read: list[str] = []
    for facts in stored.files:
        found = packaging.file_type_findings(facts)
        type_ok = not found
        found += packaging.name_findings(facts)
        if facts.name in duplicates:
            found.append(packaging.duplicate_finding(duplicates[facts.name]))
        elif type_ok:
            to_read.append(facts.name)
        file_findings[facts.name] = found
    return PackagingResult([], file_findings, to_read, duplicates)
