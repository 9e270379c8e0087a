"""FORM-001 (RULES.md): a claim form, reimbursement request form or dependent declaration whose
signature field is blank. Warn by default (a scan may hide a faint signature); the rule set can
make it a rejection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from domain.config import Ruleset, default_ruleset
from domain.decision import Route
from domain.extractions import FormExtraction
from domain.folio import FolioManifest
from samples import generate as g
from validators.context import DocumentContext

RULES = default_ruleset()
SIGNED_FORMS = ("claim_form", "reimbursement_form", "dependent_declaration")


def validate_form(extraction, context):
    from validators.forms import validate_form

    return validate_form(extraction, context)


def ctx(ruleset: Ruleset = RULES) -> DocumentContext:
    manifest = FolioManifest.model_validate(
        {
            "folio": "RB-2026-000123",
            "claim_type": "reembolso",
            "received_at": datetime(2026, 11, 20, tzinfo=UTC).isoformat(),
        }
    )
    return DocumentContext(
        manifest=manifest,
        as_of=date(2026, 11, 20),
        ruleset=ruleset,
        file_name="formulario.pdf",
        media_type="application/pdf",
    )


@pytest.mark.parametrize("kind", SIGNED_FORMS)
def test_form001_a_blank_signature_is_a_warning(kind):
    [finding] = validate_form(FormExtraction(kind=kind, signed=False), ctx())
    assert (finding.code, finding.outcome.value) == ("FORM-001", "warn")
    assert "firma" in finding.message_es.lower() and finding.evidence["kind"] == kind


@pytest.mark.parametrize("kind", SIGNED_FORMS)
@pytest.mark.parametrize("signed", [True, None])  # signed, or no signature area found: nothing to say
def test_form001_signed_or_unknown_raises_nothing(kind, signed):
    assert validate_form(FormExtraction(kind=kind, signed=signed), ctx()) == []


@pytest.mark.parametrize("kind", ["medical_report", "prescription", "student_certificate", "care_order"])
def test_form001_only_the_forms_the_claimant_signs(kind):
    assert validate_form(FormExtraction(kind=kind, signed=False), ctx()) == []


def test_form001_configurable_to_reject():
    strict = RULES.model_copy(update={"unsigned_form_outcome": "reject"})
    [finding] = validate_form(FormExtraction(kind="claim_form", signed=False), ctx(strict))
    assert finding.outcome.value == "reject"
    assert default_ruleset().unsigned_form_outcome == "warn"


def test_form001_outcome_is_validated():
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain/defaults/ruleset.yaml").read_text())
    with pytest.raises(ValueError):
        Ruleset.model_validate({**data, "unsigned_form_outcome": "retry"})


# --- through the intake -------------------------------------------------------------------------


def unsigned_folio(root: Path) -> Path:
    """RB-2026-000101 as the samples build it, but the claim form's signature line left blank."""
    f = g.Folio("RB-2026-000901", g.manifest("RB-2026-000901", "reembolso"), "adjudication", [])
    g.add_pair(g.reimbursement_basics(f), g.fees_invoice(f.name, 1))
    f.add(
        "formulario_reclamacion.pdf",
        g.forms.claim_form(
            patient=g.HOLDER.name, holder=g.HOLDER.name, policy="10234567", on=date(2026, 11, 10), signed=False
        ),
    )
    return g.write(f, root)


def process(folio_dir: Path):
    from flows.intake import process_folio

    return process_folio.fn(str(folio_dir), g.AS_OF).decision


def test_an_unsigned_claim_form_goes_to_adjudication_with_the_warning(home, tmp_path):
    decision = process(unsigned_folio(tmp_path / "folios"))
    assert (decision.route, decision.codes()) == (Route.ADJUDICATION, ["CFDI-021", "FORM-001"])
    [form] = [d for d in decision.documents if d.file == "formulario_reclamacion.pdf"]
    assert [(f.code, f.outcome.value) for f in form.findings] == [("FORM-001", "warn")]
    assert form.status.value == "accepted"


def test_with_reject_configured_the_claimant_is_asked_for_a_signed_form(home, tmp_path, monkeypatch):
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain/defaults/ruleset.yaml").read_text())
    rules = tmp_path / "ruleset.yaml"
    rules.write_text(yaml.safe_dump({**data, "unsigned_form_outcome": "reject"}), encoding="utf-8")
    monkeypatch.setenv("CLAIM_INTAKE_RULESET_FILE", str(rules))
    decision = process(unsigned_folio(tmp_path / "folios"))
    assert decision.route is Route.PENDING_DOCUMENTS
    assert decision.codes() == ["CFDI-021", "FORM-001", "REQ-001"] and decision.missing == ["claim_form"]
