"""Document-level CFDI rules (validators.cfdi.validate_cfdi): each test fails if its rule goes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal as D  # noqa: N817 - amounts read like literals: D("1500.00")

import factories
import pytest
from factories import codes

from domain.config import ConfigError, RegimeRetention, RetentionRules, Ruleset, default_ruleset, load_ruleset
from domain.findings import Outcome
from domain.folio import FolioManifest
from extractors.cfdi_xml import parse_cfdi, trust_store_from_dir
from samples.builders.cfdi import Line, Party, build_cfdi, trust_store_dir
from validators.cfdi import validate_cfdi
from validators.context import DocumentContext

RS = default_ruleset()
DOCTOR = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "44100")
RESICO = Party("PERJ850101XY2", "JUAN PEREZ RAMOS", "626", "44100")
CLINIC = Party("CME010101AA1", "CLINICA MEDICA DEL CENTRO", "601", "44100")
INSURER = Party("BMS030731PC4", "BUPA MEXICO COMPANIA DE SEGUROS", "601", "11000")
HOLDER = Party("LOGM850312AB1", "MARIA FERNANDA LOPEZ GARCIA", "605", "03100")
UUID = "6F1C2A3B-0000-4000-8000-0000000000B1"


def manifest(claim_type="reembolso", **over) -> FolioManifest:
    """The holder, patient and policy these invoices are about; the provider too when paid directly."""
    data = {
        "claim_type": claim_type,
        "policy": {"number": "1", "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
        "holder": {"name": HOLDER.name, "rfc": HOLDER.rfc},
        "patient": {"name": "MARIA FERNANDA LOPEZ GARCIA", "relationship": "titular"},
    }
    if claim_type == "pago_proveedor":
        data["provider"] = {"name": DOCTOR.name, "rfc": DOCTOR.rfc, "care_order_account": "OA-778899"}
    data.update(over)
    return factories.manifest(**data)


def ctx(m=None, file_name=f"{UUID}.xml", known=None, as_of=date(2026, 11, 20)):
    return DocumentContext(m or manifest(), as_of, RS, file_name, "application/xml", known or {})


STORE = None


def parse(xml: bytes):
    global STORE
    STORE = STORE or trust_store_from_dir(str(trust_store_dir()))
    return parse_cfdi(xml, trust_store=STORE)


def make(issuer=DOCTOR, receiver=INSURER, lines=None, issued_at=datetime(2026, 10, 1, 10, 0), **kw) -> bytes:
    lines = lines or [
        Line("85121600", "Consulta medica MARIA FERNANDA LOPEZ GARCIA cuenta OA-778899", D(1), D("1500.00"), None)
    ]
    return build_cfdi(
        uuid=kw.pop("uuid", UUID),
        issuer=issuer,
        receiver=receiver,
        lines=lines,
        issued_at=issued_at,
        cfdi_use=kw.pop("cfdi_use", "G03"),
        **kw,
    )


@pytest.fixture(scope="module")
def good():
    return parse(make())


def test_clean_invoice_has_no_findings(good):
    assert validate_cfdi(good, ctx()) == []


def test_messages_are_spanish_and_evidenced(good):
    f = validate_cfdi(good, ctx(file_name="renombrado.xml"))[0]
    assert f.code == "CFDI-011" and "XML" in f.message_es and f.evidence["uuid"] == UUID


# --- CFDI-001 / 002 ---------------------------------------------------------------------------


def test_cfdi001_malformed_alone():
    out = validate_cfdi(parse_cfdi(b"<cfdi:Comprobante"), ctx())
    assert codes(out) == ["CFDI-001"] and out[0].outcome is Outcome.REJECT


def test_cfdi001_wrong_root():
    assert codes(validate_cfdi(parse_cfdi(b"<html/>"), ctx())) == ["CFDI-001"]


def test_cfdi002_version_32_never():
    xml = b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/3' version='3.2' fecha='2017-01-01T00:00:00'/>"
    out = validate_cfdi(parse_cfdi(xml), ctx())
    assert codes(out) == ["CFDI-002"] and "3.2" in out[0].message_es and "2018" in out[0].message_es


@pytest.mark.parametrize("day, accepted", [(datetime(2023, 3, 31, 23, 59), True), (datetime(2023, 4, 1, 0, 0), False)])
def test_cfdi002_version_33_cutoff(day, accepted):
    p = parse(make(issued_at=day, version="3.3"))
    out = validate_cfdi(p, ctx(as_of=date(2024, 1, 15)))
    assert ("CFDI-002" not in codes(out)) is accepted
    if not accepted:
        assert codes(out) == ["CFDI-002"] and "4.0" in out[0].message_es


def test_cfdi002_schema_error(good):
    bad = dataclasses.replace(good, schema_errors=("línea 1: algo",))
    assert "CFDI-002" in codes(validate_cfdi(bad, ctx()))


# --- CFDI-003 / 004 / 021 ---------------------------------------------------------------------


def test_cfdi003_tampered_amount():
    xml = make()
    tampered = xml.replace(b' Total="1500.00"', b' Total="1500.01"')  # one byte of a signed amount
    assert len(tampered) == len(xml) and sum(a != b for a, b in zip(xml, tampered, strict=True)) == 1
    assert "CFDI-003" in codes(validate_cfdi(parse(tampered), ctx()))


def test_cfdi003_rfc_not_of_certificate(good):
    bad = dataclasses.replace(good, seal=dataclasses.replace(good.seal, verified=False, reason="rfc_mismatch"))
    out = [f for f in validate_cfdi(bad, ctx()) if f.code == "CFDI-003"]
    assert out and out[0].evidence["reason"] == "rfc_mismatch"


def test_cfdi004_not_stamped():
    out = validate_cfdi(parse(make(stamp=False)), ctx(file_name="A1001.xml"))
    assert codes(out) == ["CFDI-004"]


def test_cfdi004_stamp_of_other_seal(good):
    ext = good.extraction.model_copy(update={"stamp_seal_matches": False})
    assert codes(validate_cfdi(dataclasses.replace(good, extraction=ext), ctx())) == ["CFDI-004"]


def test_cfdi021_untrusted_chain_warns():
    p = parse_cfdi(make())  # default store: SAT production CAs, which did not issue the test CSD
    out = [f for f in validate_cfdi(p, ctx()) if f.code == "CFDI-021"]
    assert out and out[0].outcome is Outcome.WARN
    strict = [f for f in validate_cfdi(p, ctx(), chain_outcome=Outcome.REJECT) if f.code == "CFDI-021"]
    assert strict[0].outcome is Outcome.REJECT


# --- CFDI-009 ---------------------------------------------------------------------------------


def test_cfdi009_fees_to_holder_ok_lab_to_holder_rejected():
    fees = parse(make(receiver=HOLDER, uuid="6F1C2A3B-0000-4000-8000-0000000000B2"))
    assert "CFDI-009" not in codes(validate_cfdi(fees, ctx(file_name="6F1C2A3B-0000-4000-8000-0000000000B2.xml")))
    lab = parse(make(receiver=HOLDER, lines=[Line("85121800", "Biometria hematica", D(1), D("400"), None)]))
    out = [f for f in validate_cfdi(lab, ctx()) if f.code == "CFDI-009"]
    assert out and "BMS030731PC4" in out[0].message_es


def test_cfdi009_mixed_invoice_must_go_to_insurer():
    lines = [Line("85121600", "Consulta", D(1), D("1000"), None), Line("85101500", "Habitacion", D(1), D("3000"))]
    assert "CFDI-009" in codes(validate_cfdi(parse(make(receiver=HOLDER, lines=lines)), ctx()))
    assert "CFDI-009" not in codes(validate_cfdi(parse(make(receiver=INSURER, lines=lines)), ctx()))


def test_cfdi009_pharmacy_to_contractor_ok_and_stranger_rejected():
    contractor = Party("EMP010101AB1", "EMPRESA CONTRATANTE", "601", "06600")
    m = manifest(contractor={"name": contractor.name, "rfc": contractor.rfc})
    pharmacy = [Line("51101500", "Amoxicilina", D(1), D("300"))]
    assert "CFDI-009" not in codes(validate_cfdi(parse(make(receiver=contractor, lines=pharmacy)), ctx(m)))
    stranger = Party("XAXX010101000", "PUBLICO EN GENERAL", "616", "44100")
    assert "CFDI-009" in codes(validate_cfdi(parse(make(receiver=stranger, lines=pharmacy)), ctx(m)))


def test_cfdi009_only_for_reimbursement():
    lab = parse(
        make(receiver=HOLDER, lines=[Line("85121800", "Laboratorio", D(1), D("400"), None)], payment_method="PPD")
    )
    assert "CFDI-009" not in codes(validate_cfdi(lab, ctx(manifest("pago_proveedor"))))


# --- CFDI-011 / 012 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, ok",
    [
        (f"{UUID}.xml", True),
        (f"factura_{UUID.lower()}.xml", True),
        ("A1001.xml", True),
        ("FACT_A-1001.xml", True),
        ("A10010.xml", False),
        ("factura.xml", False),
        ("mi factura consulta.xml", False),
    ],
)
def test_cfdi011_renamed(good, name, ok):
    assert ("CFDI-011" not in codes(validate_cfdi(good, ctx(file_name=name)))) is ok


def test_cfdi011_configured_pattern(good):
    rs = RS.model_copy(update={"xml_name_patterns": [r"^HOSP_\d{6}$"]})
    c = DocumentContext(manifest(), date(2026, 11, 20), rs, "HOSP_123456.xml", "application/xml", {})
    assert "CFDI-011" not in codes(validate_cfdi(good, c))


def test_cfdi012_cross_folio_names_other_folio(good):
    out = [f for f in validate_cfdi(good, ctx(known={UUID.lower(): "RB-2026-000001"})) if f.code == "CFDI-012"]
    assert out and "RB-2026-000001" in out[0].message_es
    assert "CFDI-012" not in codes(validate_cfdi(good, ctx(known={UUID: "RB-2026-000123"})))


# --- CFDI-014 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "delta, flagged", [(D("0.01"), False), (D("-0.01"), False), (D("0.02"), True), (D("-0.02"), True)]
)
def test_cfdi014_rounding_tolerance(good, delta, flagged):
    ext = good.extraction.model_copy(update={"total": good.extraction.total + delta})
    out = [f for f in validate_cfdi(dataclasses.replace(good, extraction=ext), ctx()) if f.code == "CFDI-014"]
    assert bool(out) is flagged
    if out:
        assert out[0].outcome is Outcome.WARN


def test_cfdi014_concept_sum(good):
    ext = good.extraction.model_copy(
        update={"subtotal": good.extraction.subtotal + D("5"), "total": good.extraction.total + D("5")}
    )
    out = [f for f in validate_cfdi(dataclasses.replace(good, extraction=ext), ctx()) if f.code == "CFDI-014"]
    assert out and out[0].evidence["problems"][0]["check"] == "subtotal"


def test_cfdi014_concept_amount_outside_sat_limits(good):
    c = dataclasses.replace(good.concepts[0], quantity=D("1.00"), unit_value=D("1500.00"))
    # SAT limits: (1.00 ± 0.005) x (1500.00 ± 0.005) -> [1492.49, 1507.51]
    for amount, flagged in ((D("1507.51"), False), (D("1492.49"), False), (D("1507.52"), True), (D("1492.48"), True)):
        p = dataclasses.replace(good, concepts=(dataclasses.replace(c, amount=amount),))
        assert ("CFDI-014" in codes(validate_cfdi(p, ctx()))) is flagged, amount


def test_cfdi014_implocal_counts():
    p = parse(make(isr_withholding_rate=D("0.10"), cedular_rate=D("0.03")))
    assert "CFDI-014" not in codes(validate_cfdi(p, ctx()))


# --- CFDI-015 ---------------------------------------------------------------------------------


def test_cfdi015_egreso_rejected():
    assert "CFDI-015" in codes(validate_cfdi(parse(make(doc_type="E")), ctx()))


# --- CFDI-017 / 018 / 019 (provider billing) ----------------------------------------------------


def pp(**kw):
    kw.setdefault("payment_method", "PPD")
    kw.setdefault("payment_form", "99")
    return parse(make(**kw))


def test_provider_invoice_clean():
    assert validate_cfdi(pp(isr_withholding_rate=D("0.10")), ctx(manifest("pago_proveedor"))) == []


def test_cfdi017_pue_rejected():
    out = validate_cfdi(
        pp(payment_method="PUE", payment_form="03", isr_withholding_rate=D("0.10")), ctx(manifest("pago_proveedor"))
    )
    assert codes(out) == ["CFDI-017"]


def test_cfdi018_account_and_patient():
    m = manifest("pago_proveedor")
    no_account = pp(
        isr_withholding_rate=D("0.10"),
        lines=[Line("85121600", "Consulta Lic. Garcia Lopez Maria Fernanda", D(1), D("1500"), None)],
    )
    out = [f for f in validate_cfdi(no_account, ctx(m)) if f.code == "CFDI-018"]
    assert out and out[0].evidence["missing"] == ["cuenta de la orden de atención"]
    other_patient = pp(
        isr_withholding_rate=D("0.10"), lines=[Line("85121600", "Consulta OA 778899 JUAN PEREZ", D(1), D("1500"), None)]
    )
    out = [f for f in validate_cfdi(other_patient, ctx(m)) if f.code == "CFDI-018"]
    assert out and out[0].evidence["missing"] == ["nombre del paciente"]


@pytest.mark.parametrize(
    "issuer, isr, cedular, ok",
    [
        (DOCTOR, D("0.10"), None, True),
        (DOCTOR, D("0.05"), None, False),
        (DOCTOR, None, None, False),
        (DOCTOR, D("0.10"), D("0.03"), True),
        (DOCTOR, D("0.10"), D("0.02"), False),
        (RESICO, D("0.0125"), None, True),
        (RESICO, D("0.10"), None, False),
        (RESICO, D("0.025"), D("0.03"), True),
        (RESICO, D("0.0125"), D("0.03"), False),
        (CLINIC, None, None, True),
        (CLINIC, D("0.10"), None, False),
    ],
)
def test_cfdi019_retention_by_regime(issuer, isr, cedular, ok):
    m = manifest("pago_proveedor", provider={"name": issuer.name, "rfc": issuer.rfc, "care_order_account": "OA-778899"})
    p = pp(issuer=issuer, isr_withholding_rate=isr, cedular_rate=cedular)
    assert ("CFDI-019" not in codes(validate_cfdi(p, ctx(m)))) is ok


# --- CFDI-020 ---------------------------------------------------------------------------------


def test_cfdi020_outside_policy_and_age(good):
    before_policy = parse(make(issued_at=datetime(2025, 12, 31, 10, 0)))
    out = [f for f in validate_cfdi(before_policy, ctx()) if f.code == "CFDI-020"]
    assert out and out[0].outcome is Outcome.WARN
    m = manifest(policy=None)
    two_years = good.extraction.model_copy(update={"issued_at": datetime(2024, 11, 20, 9, 0)})
    older = good.extraction.model_copy(update={"issued_at": datetime(2024, 11, 19, 9, 0)})
    assert "CFDI-020" not in codes(validate_cfdi(dataclasses.replace(good, extraction=two_years), ctx(m)))
    assert "CFDI-020" in codes(validate_cfdi(dataclasses.replace(good, extraction=older), ctx(m)))


def test_validator_is_pure(good):
    c = ctx(file_name="x.xml")
    assert validate_cfdi(good, c) == validate_cfdi(good, c)


# --- CFDI-019 from the rule set; Jalisco cedular -------------------------------------------------


CDMX_DOCTOR = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "06700")  # same CSD, issued in CDMX


def pp_ctx(issuer, rs=RS):
    m = manifest("pago_proveedor", provider={"name": issuer.name, "rfc": issuer.rfc, "care_order_account": "OA-778899"})
    return DocumentContext(m, date(2026, 11, 20), rs, f"{UUID}.xml", "application/xml", {})


def with_retention(**update) -> Ruleset:
    return RS.model_copy(update={"cfdi_retention": RS.cfdi_retention.model_copy(update=update)})


def test_cfdi019_defaults_equal_legal_rates():
    r = RS.cfdi_retention
    assert (r.isr_by_regime["612"].isr, r.isr_by_regime["612"].isr_with_cedular) == (D("0.10"), D("0.10"))
    assert (r.isr_by_regime["626"].isr, r.isr_by_regime["626"].isr_with_cedular) == (D("0.0125"), D("0.025"))
    assert r.cedular_rate == D("0.03") and r.cedular_required is False and r == RetentionRules()


def test_cfdi019_rates_come_from_the_ruleset():
    p = pp(isr_withholding_rate=D("0.05"))
    assert "CFDI-019" in codes(validate_cfdi(p, pp_ctx(DOCTOR)))
    rs = with_retention(isr_by_regime={"612": RegimeRetention(isr=D("0.05"), isr_with_cedular=D("0.05"))})
    assert "CFDI-019" not in codes(validate_cfdi(p, pp_ctx(DOCTOR, rs)))
    assert "CFDI-019" in codes(validate_cfdi(pp(isr_withholding_rate=D("0.10")), pp_ctx(DOCTOR, rs)))
    # a regime the table does not list is not checked
    assert "CFDI-019" not in codes(validate_cfdi(p, pp_ctx(DOCTOR, with_retention(isr_by_regime={}))))


@pytest.mark.parametrize(
    "issuer, isr, cedular, flagged",
    [
        (DOCTOR, D("0.10"), None, True),  # Jalisco (44100), cedular omitted
        (DOCTOR, D("0.10"), D("0.03"), False),
        (RESICO, D("0.0125"), None, True),  # Jalisco RESICO without cedular: 2.5 % + 3 % expected
        (RESICO, D("0.025"), D("0.03"), False),
        (CDMX_DOCTOR, D("0.10"), None, False),  # not issued in Jalisco
        (CLINIC, None, None, False),  # persona moral: nothing
    ],
)
def test_cfdi019_jalisco_cedular_required_by_config(issuer, isr, cedular, flagged):
    rs = with_retention(cedular_required=True)
    p = pp(issuer=issuer, isr_withholding_rate=isr, cedular_rate=cedular)
    out = [f for f in validate_cfdi(p, pp_ctx(issuer, rs)) if f.code == "CFDI-019"]
    assert bool(out) is flagged
    if out:
        assert out[0].evidence["cedular_required"] is True and out[0].evidence["place_of_issue"] == "44100"
        assert "Jalisco" in out[0].message_es
    # with the default configuration the omitted cedular is not required
    assert "CFDI-019" not in codes(validate_cfdi(p, pp_ctx(issuer)))


def test_cfdi019_config_validated(tmp_path):
    from importlib.resources import files

    import yaml

    base = yaml.safe_load(files("domain").joinpath("defaults/ruleset.yaml").read_text("utf-8"))
    del base["cfdi_retention"]
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(base), "utf-8")
    assert load_ruleset(tmp_path / "old.yaml").cfdi_retention == RetentionRules()  # older files still load
    for bad in (
        {"isr_by_regime": {"61": {"isr": "0.1", "isr_with_cedular": "0.1"}}},
        {"isr_by_regime": {"612": {"isr": "1.5", "isr_with_cedular": "0.1"}}},
        {"cedular_postal_codes": [["49999", "44000"]]},
        {"cedular_rate": "-0.03"},
        {"unknown": 1},
    ):
        (tmp_path / "bad.yaml").write_text(yaml.safe_dump({**base, "cfdi_retention": bad}), "utf-8")
        with pytest.raises(ConfigError, match="cfdi_retention"):
            load_ruleset(tmp_path / "bad.yaml")


# --- CFDI-018: account and patient in the same concept --------------------------------------------


def test_cfdi018_account_and_patient_must_share_a_concept():
    m = manifest("pago_proveedor")
    split = [
        Line("85121600", "Consulta cuenta OA-778899", D(1), D("1000"), None),
        Line("85121600", "Paciente MARIA FERNANDA LOPEZ GARCIA", D(1), D("500"), None),
    ]
    out = [f for f in validate_cfdi(pp(isr_withholding_rate=D("0.10"), lines=split), ctx(m)) if f.code == "CFDI-018"]
    assert out and out[0].evidence["reason"] == "different_concepts"
    assert (out[0].evidence["account_in_concepts"], out[0].evidence["patient_in_concepts"]) == ([1], [2])
    together = split + [Line("85121600", "Honorarios OA-778899 MARIA FERNANDA LOPEZ GARCIA", D(1), D("10"), None)]
    assert "CFDI-018" not in codes(validate_cfdi(pp(isr_withholding_rate=D("0.10"), lines=together), ctx(m)))


# --- CFDI-004: SelloSAT --------------------------------------------------------------------------


def test_cfdi004_sat_seal_invalid_only_when_certificate_available():
    import re

    from samples.builders.cfdi import stamp_certificates_dir

    xml = make()
    tampered = re.sub(
        rb'(FechaTimbrado="[^"]*T\d\d:)(\d\d)', lambda m: m[1] + b"%02d" % ((int(m[2]) + 1) % 60), xml, count=1
    )
    STORE_ = trust_store_from_dir(str(trust_store_dir()))
    checked = parse_cfdi(tampered, trust_store=STORE_, stamp_certificates=stamp_certificates_dir())
    out = validate_cfdi(checked, ctx())
    assert codes(out) == ["CFDI-004"] and out[0].evidence["reason"] == "sat_seal_invalid"
    unchecked = parse_cfdi(tampered, trust_store=STORE_)
    assert validate_cfdi(unchecked, ctx()) == []
    assert unchecked.extraction.sat_seal_not_checked == "no_directory"
    good = parse_cfdi(xml, trust_store=STORE_, stamp_certificates=stamp_certificates_dir())
    assert validate_cfdi(good, ctx()) == [] and good.extraction.sat_seal_verified is True
