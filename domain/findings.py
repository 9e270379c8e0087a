"""Findings: what a rule says about a document or a folio, in the codes of RULES.md."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    REJECT = "reject"
    WARN = "warn"
    RETRY = "retry"


class Finding(BaseModel):
    """One rule's verdict. `evidence` carries what compliance needs to see why (never raw PII
    beyond what the report is allowed to show)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{3,4}-\d{3}$")
    outcome: Outcome
    message_es: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class SkippedRule(BaseModel):
    """A rule that could not run because the folio lacks what it needs (CONTRACT.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    why: str


def has_reject(findings: list[Finding]) -> bool:
    return any(f.outcome is Outcome.REJECT for f in findings)
