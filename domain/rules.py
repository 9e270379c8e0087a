"""The rule catalogue: each code's outcome, its rule text for compliance reports and what the
claimant should do, defined once in defaults/rules_es.yaml (written from RULES.md), with its Spanish message templates,
one per cause (`messages`). Findings are built from it (`finding("CSF-004", "other_rfc", evidence,
certificate=..., declared=...)`), so a call site states which rule it applies, why (the cause and
the evidence) and the computed pieces of the message (masked RFCs, joined lists, dates), never the
rule's outcome nor its wording.

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
    messages: dict[str, str] = Field(default_factory=dict)  # cause -> Spanish template (str.format)

    def message(self, cause: str, **params: Any) -> str:
        """The template of `cause` filled with `params`; a ValueError names the code and the cause
        when the cause is unknown or a placeholder has no value."""
        try:
            template = self.messages[cause]
        except KeyError:
            raise ValueError(f"{self.code} has no message for cause {cause!r}") from None
        try:
            return template.format_map(params)
        except KeyError as missing:
            raise ValueError(f"{self.code} message {cause!r} needs the parameter {missing}") from None

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


def finding(code: str, cause: str, evidence: Mapping[str, Any] | None = None, /, **params: Any) -> Finding:
    """A finding of a rule with a fixed outcome (the catalogue's), its message the catalogue's
    template for `cause` filled with `params`."""
    found = rule(code)
    return found.finding(found.message(cause, **params), evidence)
