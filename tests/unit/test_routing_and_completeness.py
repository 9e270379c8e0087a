from datetime import UTC, date, datetime
from functools import partial

import factories

from domain.decision import Route
from domain.extractions import CfdiExtraction, Concept, FormExtraction
from domain.findings import Finding, Outcome
from domain.kinds import DocumentKind as K
from validators import completeness, routing
from validators.context import EvaluatedDocument


def f(outcome):
    return Finding(code="TST-001", outcome=outcome, message_es="x")


def test_precedence_reject_over_retry_over_adjudication():
    assert routing.route_for([f(Outcome.WARN), f(Outcome.RETRY), f(Outcome.REJECT)]) is Route.PENDING_DOCUMENTS
    assert routing.route_for([f(Outcome.WARN), f(Outcome.RETRY)]) is Route.AWAITING_SAT
    assert routing.route_for([f(Outcome.WARN)]) is Route.ADJUDICATION
    assert routing.route_for([]) is Route.ADJUDICATION


def test_payment_due_is_thirty_days_after_first_completion():
    now = datetime(2026, 11, 20, 18, tzinfo=UTC)
    assert routing.completion(Route.ADJUDICATION, now) == (now, date(2026, 12, 20))
    earlier = datetime(2026, 11, 1, tzinfo=UTC)
    assert routing.completion(Route.ADJUDICATION, now, earlier) == (earlier, date(2026, 12, 1))
    assert routing.completion(Route.PENDING_DOCUMENTS, now) == (None, None)


manifest = partial(factories.manifest, folio="F-1", received_at="2026-11-20T10:00:00-06:00")


def doc(kind, accepted=True, extraction=None, name=None):
    return EvaluatedDocument(name or f"{kind.value}.pdf", kind, accepted, extraction)


def invoice(*claves):
    return CfdiExtraction(concepts=[Concept(clave_prod_serv=c, description="x", amount=1) for c in claves])


def test_reembolso_initial_requirements_and_conditionals(ruleset):
    m = manifest(bank_account_on_file=False)
    kinds, _ = completeness.required_kinds(
        m, date(2026, 11, 20), ruleset, [doc(K.CFDI_XML, extraction=invoice("85121502"))]
    )
    assert kinds == [K.CLAIM_FORM, K.REIMBURSEMENT_FORM, K.MEDICAL_REPORT, K.CFDI_XML, K.BANK_STATEMENT]
    pharmacy = [doc(K.CFDI_XML, extraction=invoice("85121502", "51101500"))]
    kinds, _ = completeness.required_kinds(manifest(bank_account_on_file=True), date(2026, 11, 20), ruleset, pharmacy)
    assert K.PRESCRIPTION in kinds and K.BANK_STATEMENT not in kinds


def test_reimbursement_form_with_valid_clabe_replaces_the_statement(ruleset):
    good = FormExtraction(kind="reimbursement_form", clabe="012180000118359713")
    bad = FormExtraction(kind="reimbursement_form", clabe="012180000118359714")
    m = manifest()
    kinds, _ = completeness.required_kinds(m, date(2026, 11, 20), ruleset, [doc(K.REIMBURSEMENT_FORM, extraction=good)])
    assert K.BANK_STATEMENT not in kinds
    kinds, _ = completeness.required_kinds(m, date(2026, 11, 20), ruleset, [doc(K.REIMBURSEMENT_FORM, extraction=bad)])
    assert K.BANK_STATEMENT in kinds


def test_child_dependent_aged_19_at_policy_start_needs_student_papers(ruleset):
    policy = {"valid_from": "2026-01-01", "valid_to": "2026-12-31"}
    nineteen = manifest(policy=policy, patient={"name": "A", "relationship": "hijo", "birth_date": "2007-01-01"})
    eighteen = manifest(policy=policy, patient={"name": "A", "relationship": "hijo", "birth_date": "2007-01-02"})
    spouse = manifest(policy=policy, patient={"name": "A", "relationship": "conyuge", "birth_date": "1990-01-01"})
    for m, needed in ((nineteen, True), (eighteen, False), (spouse, False)):
        kinds, _ = completeness.required_kinds(m, date(2026, 11, 20), ruleset, [])
        assert (K.STUDENT_CERTIFICATE in kinds and K.DEPENDENT_DECLARATION in kinds) is needed
    unknown = manifest(patient={"name": "A", "relationship": "dependiente"})
    kinds, skipped = completeness.required_kinds(unknown, date(2026, 11, 20), ruleset, [])
    assert K.STUDENT_CERTIFICATE not in kinds and skipped and "birth_date" in skipped[0].why


def test_abroad_needs_a_foreign_invoice(ruleset):
    kinds, _ = completeness.required_kinds(
        manifest(service_country="US", stage="subsequent"), date(2026, 11, 20), ruleset, []
    )
    assert kinds[-2:] == [K.FOREIGN_INVOICE, K.BANK_STATEMENT] or K.FOREIGN_INVOICE in kinds
    assert K.CFDI_XML not in kinds


def test_missing_names_rejected_files():
    found, missing = completeness.missing_findings(
        [K.MEDICAL_REPORT, K.CLAIM_FORM], [doc(K.MEDICAL_REPORT, accepted=False, name="informe.pdf"), doc(K.CLAIM_FORM)]
    )
    assert missing == [K.MEDICAL_REPORT]
    assert found[0].code == "REQ-001" and found[0].evidence["rejected_files"] == ["informe.pdf"]
    assert "informe médico" in found[0].message_es


def test_unclassified_documents_warn_only_when_read():
    read = EvaluatedDocument("x.pdf", K.OTHER, True)
    unread = EvaluatedDocument("y.docx", K.OTHER, False, read=False)
    assert [f.code for f in completeness.unclassified_findings([read, unread])] == ["REQ-002"]


def test_requirement_table_is_configuration(tmp_path):
    from domain.config import ConfigError, load_ruleset

    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: x\ninsurer_rfcs: [BMS030731PC4]\nrequirements:\n  reembolso:\n    initial: {required: [medical_report]}\n"
        "    subsequent: {required: []}\n  pago_proveedor: {initial: {}, subsequent: {}}\n"
        "  datos_fiscales: {initial: {}, subsequent: {}}\n  alta_cuenta: {initial: {}, subsequent: {}}\n"
    )
    custom = load_ruleset(path)
    kinds, _ = completeness.required_kinds(manifest(), date(2026, 11, 20), custom, [])
    assert kinds == [K.MEDICAL_REPORT]
    path.write_text("version: x\ninsurer_rfcs: []\nrequirements: {}\n")
    import pytest

    with pytest.raises(ConfigError, match="insurer_rfcs"):
        load_ruleset(path)
