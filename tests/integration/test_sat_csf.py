"""CSF online cross-check against the simulated QR validation page (CSF-007, CSF-008)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.config import default_ruleset
from domain.extractions import CsfExtraction
from sat.csf_check import CsfCheckClient, CsfOnline, parse_csf_page
from sat.resilience import RetryPolicy, SatUnavailable
from validators.sat import CsfSatAnswer, csf_sat_findings

RFC, ID_CIF, NAME = "LOGM850312AB1", "19010123456", "MARIA FERNANDA LOPEZ GARCIA"
HONORIFICS = ("SR", "SRA", "LIC", "DR")
PDF = CsfExtraction(rfc=RFC, name=NAME, status="ACTIVO", id_cif=ID_CIF, postal_code="06000")


def check(sim, pdf=PDF, **kw):
    c = CsfCheckClient(sim.csf_url, timeout_s=0.3, retry=RetryPolicy(attempts=2, base_delay_s=0.01), **kw)
    try:
        answer = CsfSatAnswer(online=c.check(pdf.rfc, pdf.id_cif))
    except SatUnavailable as exc:
        answer = CsfSatAnswer(error=exc.evidence())
    return answer, csf_sat_findings(pdf, answer, HONORIFICS)


def test_page_parsed_as_sat_prints_it(sim):
    sim.add_csf(
        ID_CIF,
        RFC,
        name=NAME,
        postal_code="44100",
        regimes=[
            "Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios",
            "Régimen de las Personas Físicas con Actividades Empresariales y Profesionales",
        ],
    )
    answer, findings = check(sim)
    online = answer.online
    assert online.found and online.status == "ACTIVO" and online.name == NAME and online.postal_code == "44100"
    assert online.regime_codes == ["605", "612"]
    assert "CURP" not in online.rows  # contact data stays out of the evidence
    assert findings == []
    assert sim.calls[-1].query == f"{ID_CIF}_{RFC}"


def test_moral_person_name_and_word_order(sim):
    sim.add_csf(ID_CIF, RFC, nombre="MARIA FERNANDA", apellido_paterno="LOPEZ", apellido_materno="GARCIA")
    pdf = PDF.model_copy(update={"name": "Lic. López García María Fernanda"})
    assert check(sim, pdf)[1] == []
    sim.add_csf("555", "BMS030731PC4", razon_social="BUPA MEXICO, COMPAÑIA DE SEGUROS, S.A. DE C.V.")
    pdf = CsfExtraction(
        rfc="BMS030731PC4", name="BUPA MÉXICO COMPAÑÍA DE SEGUROS SA DE CV", status="ACTIVO", id_cif="555"
    )
    assert check(sim, pdf)[1] == []


@pytest.mark.parametrize(
    "page, contradictions",
    [
        ({"status": "SUSPENDIDO"}, ["status"]),
        ({"name": "JUAN PEREZ LOPEZ"}, ["name"]),
        ({"status": "CANCELADO", "name": "JUAN PEREZ LOPEZ"}, ["status", "name"]),
        (None, ["no_record"]),
    ],
)
def test_csf_008_when_the_page_contradicts_the_pdf(sim, page, contradictions):
    if page is not None:
        sim.add_csf(ID_CIF, RFC, **{"name": NAME, **page})
    _, findings = check(sim)
    [finding] = findings
    assert (finding.code, finding.outcome) == ("CSF-008", "reject")
    assert finding.evidence["contradictions"] == contradictions


def test_same_bad_status_on_both_is_csf_003_alone(sim):
    sim.add_csf(ID_CIF, RFC, name=NAME, status="SUSPENDIDO")
    assert check(sim, PDF.model_copy(update={"status": "SUSPENDIDO"}))[1] == []


@pytest.mark.parametrize("fault", ["503", "garbage", "reset", "hang"])
def test_csf_007_when_the_page_cannot_be_had(sim, fault):
    sim.add_csf(ID_CIF, RFC, name=NAME, status="CANCELADO")
    sim.set_fault(fault)
    _, findings = check(sim)
    assert [(f.code, f.outcome) for f in findings] == [("CSF-007", "retry")]
    assert findings[0].evidence["attempts"] == 2


def test_an_html_page_that_is_not_sats_is_not_a_missing_record():
    with pytest.raises(SatUnavailable):
        parse_csf_page(b"<html><body><h1>502 Bad Gateway</h1></body></html>", rfc=RFC, id_cif=ID_CIF)


def test_no_id_cif_is_csf_007():
    answer = CsfSatAnswer(error={"failed": "no_id_cif"})
    [finding] = csf_sat_findings(PDF.model_copy(update={"id_cif": None}), answer)
    assert (finding.code, finding.outcome, finding.evidence["failed"]) == ("CSF-007", "retry", "no_id_cif")


def test_csf008_a_legal_form_on_one_side_only_is_no_contradiction():
    rules = default_ruleset()
    pdf = CsfExtraction(rfc="CVA050101AB1", name="CLINICA DEL VALLE", status="ACTIVO", id_cif="555")
    online = CsfOnline(
        rfc="CVA050101AB1",
        id_cif="555",
        found=True,
        status="ACTIVO",
        name="CLINICA DEL VALLE, S.A. DE C.V.",
        page_sha256="0" * 64,
        checked_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    assert csf_sat_findings(pdf, CsfSatAnswer(online=online), rules.honorifics, rules.legal_forms) == []
    other = online.model_copy(update={"name": "CLINICA DEL NORTE, S.A. DE C.V."})
    [finding] = csf_sat_findings(pdf, CsfSatAnswer(online=other), rules.honorifics, rules.legal_forms)
    assert finding.code == "CSF-008" and finding.evidence["contradictions"] == ["name"]
