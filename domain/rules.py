"""The rule catalogue: each code's outcome, its rule text for compliance reports and what the
claimant should do, defined once in defaults/rules_es.yaml (written from RULES.md). Findings are
built from it (`finding("CSF-004", message, evidence)`), so a call site states which rule it
applies and why (the message and evidence), never the rule's outcome.

An outcome the deployment may change (FORM-001 through the rule set's `unsigned_form_outcome`,
CFDI-021 through `validate_cfdi(chain_outcome=...)`) says so in the catalogue (`outcome_from`),
and only such a rule accepts another outcome at its call site. The file is read on first use."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .findings import Finding, Outcome

CATALOGUE_FILE = "defaults/rules_es.yaml"


class Rule(BaseModel):
    """One code of RULES.md. `action` is empty for rules that never reject (nothing to do)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{3,4}-\d{3}$")
    outcome: Outcome
    rule: str
    action: str = ""
    outcome_from: str | None = None  # what may set another outcome; None: the outcome is fixed

    def finding(
        self, message_es: str, evidence: Mapping[str, Any] | None = None, *, outcome: Outcome | None = None
    ) -> Finding:
        """This rule's finding. `outcome` only for a rule whose outcome is configurable."""
        if outcome is not None and outcome is not self.outcome and self.outcome_from is None:
            raise ValueError(f"{self.code} is always {self.outcome.value}, not {outcome.value}")
        return Finding(
            code=self.code, outcome=outcome or self.outcome, message_es=message_es, evidence=dict(evidence or {})
        )


_ENTRIES = TypeAdapter(dict[str, dict[str, Any]])


@cache
def catalogue() -> Mapping[str, Rule]:
    """code -> Rule, in the file's order (RULES.md's), read once."""
    raw = yaml.safe_load(files("domain").joinpath(CATALOGUE_FILE).read_text("utf-8"))
    return {code: Rule(code=code, **entry) for code, entry in _ENTRIES.validate_python(raw).items()}


def rule(code: str) -> Rule:
    """The catalogue's rule for `code`; a KeyError names a code the catalogue lacks."""
    return catalogue()[code]


def finding(code: str, message_es: str, evidence: Mapping[str, Any] | None = None) -> Finding:
    """A finding of a rule with a fixed outcome: the catalogue's."""
    return rule(code).finding(message_es, evidence)
