"""The decision the pipeline answers, stores and renders (CONTRACT.md, "The answer")."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .findings import Finding, SkippedRule
from .kinds import DocumentKind


class Route(StrEnum):
    ADJUDICATION = "adjudication"
    PENDING_DOCUMENTS = "pending_documents"
    AWAITING_SAT = "awaiting_sat"


class DocumentStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # same bytes as another file of the folio: kept once (PKG-007)
    NOT_EVALUATED = "not_evaluated"  # the folio broke a folio-wide limit (PKG-004/005)


class Classification(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DocumentKind
    confidence: float = Field(ge=0, le=1)
    reason: str
    declared_kind: DocumentKind | None = None


class DocumentResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    sha256: str
    size: int
    media_type: str | None = None  # sniffed from the bytes
    kind: DocumentKind
    status: DocumentStatus
    classification: Classification | None = None
    extracted: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    folio: str
    route: Route
    ruleset: str
    evaluated_at: datetime
    as_of: date
    complete_at: datetime | None = None
    payment_due: date | None = None
    documents: list[DocumentResult] = Field(default_factory=list)
    folio_findings: list[Finding] = Field(default_factory=list)
    missing: list[DocumentKind] = Field(default_factory=list)
    skipped_rules: list[SkippedRule] = Field(default_factory=list)

    def codes(self) -> list[str]:
        """Every finding code of the decision, sorted, each once: what tests and reports compare."""
        codes = {f.code for f in self.folio_findings}
        for doc in self.documents:
            codes.update(f.code for f in doc.findings)
        return sorted(codes)

    def reasons(self) -> list[str]:
        """Reject and retry reasons, short, for tables."""
        out = [
            f"{f.code} {f.evidence.get('kind') or f.outcome.value}" for f in self.folio_findings if f.outcome != "warn"
        ]
        for doc in self.documents:
            out += [f"{f.code} {doc.file}" for f in doc.findings if f.outcome != "warn"]
        return out
