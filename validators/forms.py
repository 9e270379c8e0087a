"""FORM-001 (RULES.md): the forms the claimant signs — the claim form, the reimbursement request
form and the dependent declaration — with their signature field left blank.

A warning by default: a scan may hide a faint signature, and the adjudicator sees the page; the
rule set's `unsigned_form_outcome: reject` makes it a rejection where the business wants one.
Only a signature area found blank counts (`signed is False`): a form whose signature area the
extractor could not find at all (`signed is None`) says nothing either way."""

from __future__ import annotations

from domain.extractions import FormExtraction
from domain.findings import Finding, Outcome
from domain.kinds import DocumentKind as K
from domain.rules import rule

from .context import DocumentContext

# The forms the claimant signs, as a message names them.
SIGNED_FORMS: dict[str, str] = {
    K.CLAIM_FORM.value: "el formulario de reclamación",
    K.REIMBURSEMENT_FORM.value: "la solicitud de reembolso",
    K.DEPENDENT_DECLARATION.value: "la declaración de dependiente económico",
}


def validate_form(extraction: FormExtraction | None, ctx: DocumentContext) -> list[Finding]:
    if not isinstance(extraction, FormExtraction) or extraction.kind not in SIGNED_FORMS:
        return []
    if extraction.signed is not False:
        return []
    outcome = Outcome(ctx.ruleset.unsigned_form_outcome)
    unsigned = rule("FORM-001")
    cause = "unsigned_reject" if outcome is Outcome.REJECT else "unsigned_review"
    return [
        unsigned.finding(
            unsigned.message(cause, form=SIGNED_FORMS[extraction.kind]),
            {"kind": extraction.kind, "signature": "blank"},
            outcome=outcome,  # the rule set's unsigned_form_outcome (the catalogue's outcome_from)
        )
    ]
