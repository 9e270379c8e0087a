"""CFDI XML extractor: strict parsing, extraction, XSD, seal and chain (extractors.cfdi_xml)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from decimal import Decimal as D  # noqa: N817 - amounts read like literals: D("1500.00")
from pathlib import Path

import pytest
from cryptography import x509 as _x509
from cryptography.hazmat.primitives import serialization as _ser

from extractors.cfdi_xml import (
    StampCertificates,
    parse_cfdi,
    sat_production_store,
    stamp_certificates_from_dir,
    trust_store_from_dir,
)
from samples.builders import cfdi as builders
from samples.builders.cfdi import (
    PAC_CERTIFICATE_NUMBER,
    Line,
    Party,
    build_cfdi,
    build_invoice_pdf,
    build_payment_complement,
    stamp_certificates_dir,
    trust_store_dir,
)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
CORPUS_CFDI = sorted((CORPUS / "cfdi").rglob("*.xml")) if (CORPUS / "cfdi").is_dir() else []

DOCTOR = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "44100")
INSURER = Party("BMS030731PC4", "BUPA MEXICO COMPANIA DE SEGUROS", "601", "11000")
UUID = "6F1C2A3B-0000-4000-8000-0000000000A1"


@pytest.fixture(scope="module")
def store():
    return trust_store_from_dir(str(trust_store_dir()))


@pytest.fixture(scope="module")
def invoice() -> bytes:
    return build_cfdi(
        uuid=UUID,
        issuer=DOCTOR,
        receiver=INSURER,
        lines=[
            Line("85121600", "Consulta cuenta 778899 paciente MARIA LOPEZ", D(1), D("1500.00"), None),
            Line("85121600", "Curacion", D(2), D("250.50"), None),
        ],
        issued_at=datetime(2026, 10, 1, 10, 0),
        payment_method="PPD",
        payment_form="99",
        cfdi_use="G03",
        isr_withholding_rate=D("0.10"),
        cedular_rate=D("0.03"),
    )


def test_builder_is_deterministic(invoice):
    again = build_cfdi(
        uuid=UUID,
        issuer=DOCTOR,
        receiver=INSURER,
        lines=[
            Line("85121600", "Consulta cuenta 778899 paciente MARIA LOPEZ", D(1), D("1500.00"), None),
            Line("85121600", "Curacion", D(2), D("250.50"), None),
        ],
        issued_at=datetime(2026, 10, 1, 10, 0),
        payment_method="PPD",
        payment_form="99",
        cfdi_use="G03",
        isr_withholding_rate=D("0.10"),
        cedular_rate=D("0.03"),
    )
    assert again == invoice
    assert build_invoice_pdf(invoice) == build_invoice_pdf(invoice)
    assert build_invoice_pdf(invoice).startswith(b"%PDF")


def test_extraction_fields(invoice, store):
    r = parse_cfdi(invoice, trust_store=store)
    assert r.ok and r.schema_errors == () and r.seal.verified and r.chain.trusted
    e = r.extraction
    assert (e.uuid, e.serie, e.folio, e.doc_type, e.version) == (UUID, "A", "1001", "I", "4.0")
    assert e.issued_at == datetime(2026, 10, 1, 10, 0)
    assert (e.issuer_rfc, e.issuer_regime, e.receiver_rfc, e.receiver_regime) == (
        "GOMA800101AB1",
        "612",
        "BMS030731PC4",
        "601",
    )
    assert (e.receiver_postal_code, e.cfdi_use, e.payment_method, e.payment_form, e.currency) == (
        "11000",
        "G03",
        "PPD",
        "99",
        "MXN",
    )
    assert e.subtotal == D("2001.00") and e.total_withheld == D("200.10")
    assert e.local_withheld == D("60.03") and e.total == D("2001.00") - D("200.10") - D("60.03")
    assert [c.amount for c in e.concepts] == [D("1500.00"), D("501.00")]
    isr = [w for w in e.withholdings if w.tax == "001"]
    ced = [w for w in e.withholdings if w.local]
    assert isr[0].rate == D("0.10") and ced[0].rate == D("0.03") and ced[0].amount == D("60.03")
    assert e.stamped and e.stamp_seal_matches and e.seal_tail and len(e.seal_tail) == 8
    assert e.certificate_number and len(e.certificate_number) == 20 and e.place_of_issue == "44100"


def test_payment_complement_related_documents(store):
    xml = build_payment_complement(
        uuid="6F1C2A3B-0000-4000-8000-0000000000A2",
        invoice_uuid=UUID,
        issuer=DOCTOR,
        receiver=INSURER,
        amount=D("1740.87"),
        paid_at=datetime(2026, 10, 20, 12, 0),
    )
    r = parse_cfdi(xml, trust_store=store)
    assert r.ok and not r.schema_errors and r.seal.verified
    assert r.extraction.kind == "payment_complement" and r.extraction.related_documents == [UUID]


def test_default_store_is_sat_production(invoice):
    r = parse_cfdi(invoice)
    assert r.seal.verified and not r.chain.trusted and r.chain.reason == "issuer_not_in_store"
    assert r.chain.store == sat_production_store().name


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"", "malformed"),
        (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4'", "malformed"),
        (b"%PDF-1.7 not xml", "malformed"),
        (b"<?xml version='1.0'?><root/>", "not_cfdi"),
        (b"<Comprobante Version='4.0'/>", "not_cfdi"),
        (b"<r:Retenciones xmlns:r='http://www.sat.gob.mx/esquemas/retencionpago/2'/>", "not_cfdi"),
        (
            b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/3' version='3.2' fecha='2017-01-01T00:00:00' total='10'/>",
            "version",
        ),
        (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Version='3.3'/>", "version"),
    ],
)
def test_bad_input_never_raises(data, kind):
    r = parse_cfdi(data)
    assert r.error_kind == kind and r.error


def test_entities_and_doctype_refused():
    bomb = (
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;'>]>"
        b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Version='4.0' Serie='&b;'/>"
    )
    assert parse_cfdi(bomb).error_kind == "malformed"
    xxe = (
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Version='4.0' Serie='&e;'/>"
    )
    assert parse_cfdi(xxe).error_kind == "malformed"
    assert parse_cfdi(b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>").error_kind == "malformed"


def test_tampered_amount_breaks_seal(invoice, store):
    tampered = invoice.replace(b'Importe="1500.00"', b'Importe="1900.00"', 1)
    assert tampered != invoice
    r = parse_cfdi(tampered, trust_store=store)
    assert r.seal.verified is False and r.seal.reason == "bad_signature"


def test_one_byte_in_seal_breaks_it(invoice, store):
    i = invoice.index(b'Sello="') + 20
    flipped = invoice[:i] + (b"A" if invoice[i : i + 1] != b"A" else b"B") + invoice[i + 1 :]
    assert parse_cfdi(flipped, trust_store=store).seal.reason == "bad_signature"


def test_addenda_ignored_by_schema_and_seal(invoice, store):
    with_addenda = invoice.replace(
        b"</cfdi:Comprobante>",
        b"<cfdi:Addenda><x:Proveedor xmlns:x='urn:cualquier'>123</x:Proveedor></cfdi:Addenda></cfdi:Comprobante>",
    )
    r = parse_cfdi(with_addenda, trust_store=store)
    assert r.schema_errors == () and r.seal.verified


def test_schema_and_catalogue_errors(invoice, store):
    bad = invoice.replace(b'ClaveProdServ="85121600"', b'ClaveProdServ="99999999"', 1)
    r = parse_cfdi(bad, trust_store=store)
    assert any("c_ClaveProdServ" in e for e in r.schema_errors)
    bad2 = invoice.replace(b'MetodoPago="PPD"', b'MetodoPago="XYZ"')
    assert parse_cfdi(bad2, trust_store=store).schema_errors


def test_cfdi33_parses_and_verifies(store):
    xml = build_cfdi(
        uuid="6F1C2A3B-0000-4000-8000-0000000000A3",
        issuer=DOCTOR,
        receiver=INSURER,
        lines=[Line("85121600", "Consulta", D(1), D("1000"))],
        issued_at=datetime(2023, 3, 31, 9, 0),
        version="3.3",
        cfdi_use="G03",
    )
    r = parse_cfdi(xml, trust_store=store)
    assert r.ok and r.version == "3.3" and r.schema_errors == () and r.seal.verified


@pytest.mark.skipif(not CORPUS_CFDI, reason="shared corpus not present")
@pytest.mark.parametrize("path", CORPUS_CFDI, ids=lambda p: p.name)
def test_corpus_deterministic_no_exception(path):
    data = path.read_bytes()
    a, b = parse_cfdi(data), parse_cfdi(data)
    assert a == b
    assert a.error_kind is not None or a.extraction is not None


@pytest.mark.skipif(not CORPUS_CFDI, reason="shared corpus not present")
def test_corpus_signed_seals_verify():
    signed = [p for p in CORPUS_CFDI if p.name.endswith("-signed-tfd.xml")]
    assert signed
    for path in signed:
        r = parse_cfdi(path.read_bytes())
        assert r.seal.signature_valid, path.name
        assert r.extraction.stamped and r.extraction.uuid
    # the 4.0 sample is signed with a certificate of its own issuer: fully verified
    r40 = parse_cfdi((CORPUS / "cfdi/comprobante40/cfdv40-ejemplo-signed-tfd.xml").read_bytes())
    assert r40.seal.verified and r40.schema_errors == ()


# --- TimbreFiscalDigital SelloSAT (CFDI-004 stamp seal) ------------------------------------------


def _retimbre(xml: bytes) -> bytes:
    """Same invoice, FechaTimbrado moved one minute: the issuer seal still verifies, SelloSAT not."""
    out = re.sub(
        rb'FechaTimbrado="(\d{4}-\d\d-\d\dT\d\d):(\d\d)',
        lambda m: b'FechaTimbrado="' + m[1] + b":" + b"%02d" % ((int(m[2]) + 1) % 60),
        xml,
        count=1,
    )
    assert out != xml
    return out


def test_stamp_directory_holds_pac_certificate_named_by_number():
    d = stamp_certificates_dir()
    assert (d / f"{PAC_CERTIFICATE_NUMBER}.cer").is_file()


def test_sat_seal_verified_with_stamp_directory(invoice, store):
    r = parse_cfdi(invoice, trust_store=store, stamp_certificates=stamp_certificates_dir())
    assert r.stamp.verified is True and r.stamp.certificate_number == PAC_CERTIFICATE_NUMBER
    e = r.extraction
    assert (e.sat_seal_verified, e.sat_seal_not_checked, e.sat_certificate_number) == (
        True,
        None,
        PAC_CERTIFICATE_NUMBER,
    )


def test_sat_seal_tampered_stamp_fails(invoice, store):
    r = parse_cfdi(_retimbre(invoice), trust_store=store, stamp_certificates=stamp_certificates_dir())
    assert r.seal.verified  # the issuer seal does not cover the TFD
    assert r.stamp.verified is False and r.stamp.reason == "bad_signature"
    assert r.extraction.sat_seal_verified is False


def test_sat_seal_not_checked_without_directory_or_certificate(invoice, store, tmp_path):
    r = parse_cfdi(_retimbre(invoice), trust_store=store)
    assert r.stamp.verified is None and r.extraction.sat_seal_not_checked == "no_directory"
    r = parse_cfdi(_retimbre(invoice), trust_store=store, stamp_certificates=tmp_path)  # empty directory
    assert r.stamp.verified is None and r.extraction.sat_seal_not_checked == "certificate_not_available"


def test_sat_seal_pem_certificate_and_path_given_as_str(invoice, store, tmp_path):
    der = (stamp_certificates_dir() / f"{PAC_CERTIFICATE_NUMBER}.cer").read_bytes()
    pem = _x509.load_der_x509_certificate(der).public_bytes(_ser.Encoding.PEM)
    (tmp_path / f"{PAC_CERTIFICATE_NUMBER}.cer").write_bytes(pem)
    assert parse_cfdi(invoice, trust_store=store, stamp_certificates=str(tmp_path)).stamp.verified is True


def test_sat_seal_other_key_under_same_number_fails(invoice, store, tmp_path):
    """A certificate carrying the PAC's number but another key: the SelloSAT cannot verify."""
    cert_der, _key = builders._issue(builders.PAC_RFC, "OTRO PAC", None, PAC_CERTIFICATE_NUMBER)
    (tmp_path / f"{PAC_CERTIFICATE_NUMBER}.cer").write_bytes(cert_der)
    r = parse_cfdi(invoice, trust_store=store, stamp_certificates=StampCertificates(tmp_path))
    assert r.stamp.verified is False and r.stamp.reason == "bad_signature"


def test_sat_seal_misnamed_certificate_and_hostile_number(invoice, store, tmp_path):
    shutil.copy(stamp_certificates_dir() / f"{PAC_CERTIFICATE_NUMBER}.cer", tmp_path / "30001000000500000002.cer")
    other = invoice.replace(PAC_CERTIFICATE_NUMBER.encode(), b"30001000000500000002")
    r = parse_cfdi(other, trust_store=store, stamp_certificates=StampCertificates(tmp_path))
    assert r.stamp.verified is None and r.stamp.reason == "certificate_number_mismatch"
    (tmp_path / "x.cer").write_bytes((tmp_path / "30001000000500000002.cer").read_bytes())
    hostile = invoice.replace(b'NoCertificadoSAT="' + PAC_CERTIFICATE_NUMBER.encode(), b'NoCertificadoSAT="../x')
    r = parse_cfdi(hostile, trust_store=store, stamp_certificates=StampCertificates(tmp_path / "sub"))
    assert r.stamp.verified is None and r.stamp.reason == "certificate_not_available"


def test_stamp_directory_object_cached_per_path(tmp_path):
    assert stamp_certificates_from_dir(str(tmp_path)) is stamp_certificates_from_dir(str(tmp_path))


def test_new_rfcs_never_written_into_samples_pki(tmp_path, monkeypatch):
    monkeypatch.setattr(builders, "SCRATCH_PKI_DIR", tmp_path)
    before = sorted(p.name for p in builders.PKI_DIR.iterdir())
    builders.signer_for.cache_clear()
    try:
        builders.signer_for("ZZZZ991231ZZ9", "PERSONA DE PRUEBA NUEVA")
    finally:
        builders.signer_for.cache_clear()
    assert sorted(p.name for p in builders.PKI_DIR.iterdir()) == before
    assert (tmp_path / "csd_ZZZZ991231ZZ9.cer").is_file()
