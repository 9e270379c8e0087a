"""Folio-level CFDI rules (CFDI-010, CFDI-012 in-folio, CFDI-013), invoice PDF text extraction,
foreign invoices (FOR-001/002)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from claim_intake.config import default_ruleset
from claim_intake.extractions import CfdiExtraction, ForeignInvoiceExtraction, InvoicePdfExtraction, TextInfo
from claim_intake.folio import FolioManifest
from claim_intake.kinds import DocumentKind as K
from extractors.cfdi_xml import parse_cfdi
from extractors.content import DocumentContent
from extractors.foreign_invoice import extract_foreign_invoice, find_date
from extractors.invoice_pdf import extract_invoice_pdf
from samples.builders.cfdi import Line, Party, build_cfdi, build_invoice_pdf
from validators.cfdi import (InvoiceFile, duplicate_uuid_findings, folio_cfdi_findings, invoice_count_findings,
                             pairing_findings, validate_foreign_invoice)
from validators.context import DocumentContext, EvaluatedDocument

RS = default_ruleset()
U1 = "6F1C2A3B-0000-4000-8000-0000000000C1"
U2 = "6F1C2A3B-0000-4000-8000-0000000000C2"


def manifest(**over) -> FolioManifest:
    data = {"folio": "RB-2026-000200", "claim_type": "reembolso", "received_at": "2026-11-20T10:15:00-06:00"}
    data.update(over)
    return FolioManifest.model_validate(data)


def xml(file, uuid, doc_type="I"):
    return InvoiceFile(file, "cfdi_xml" if doc_type != "P" else "payment_complement", uuid, doc_type)


def pdf(file, uuid=None):
    return InvoiceFile(file, "invoice_pdf", uuid)


# --- CFDI-010 ---------------------------------------------------------------------------------

def test_cfdi010_pairs_by_uuid_and_by_stem():
    files = [xml(f"{U1}.xml", U1), pdf("factura consulta.pdf", U1.lower()), xml("A1002.xml", U2), pdf("A1002.pdf")]
    assert pairing_findings(files, "MX") == {}


def test_cfdi010_unpaired_both_ways():
    out = pairing_findings([xml(f"{U1}.xml", U1), pdf("otra.pdf", U2)], "MX")
    assert [f.code for f in out[f"{U1}.xml"]] == ["CFDI-010"] and out[f"{U1}.xml"][0].evidence["missing"] == "pdf"
    assert out["otra.pdf"][0].evidence["missing"] == "xml"


def test_cfdi010_only_national_care():
    assert pairing_findings([xml(f"{U1}.xml", U1)], "US") == {}


def test_cfdi010_broken_xml_still_pairs_by_stem():
    assert pairing_findings([xml("A1.xml", None), pdf("A1.pdf")], "MX") == {}


def test_cfdi010_payment_complement_needs_no_pdf():
    assert pairing_findings([xml("P1.xml", U2, "P")], "MX") == {}


# --- CFDI-012 (same folio) / CFDI-013 -----------------------------------------------------------

def test_cfdi012_same_uuid_two_files():
    out = duplicate_uuid_findings([xml("b_renamed.xml", U1.lower()), xml(f"a_{U1}.xml", U1)])
    assert list(out) == ["b_renamed.xml"] and out["b_renamed.xml"][0].evidence["same_as"] == f"a_{U1}.xml"
    assert duplicate_uuid_findings([xml("a.xml", U1), xml("b.xml", U2)]) == {}


def test_cfdi012_two_real_xml_same_uuid_different_names():
    party = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "44100")
    insurer = Party("BMS030731PC4", "BUPA MEXICO", "601", "11000")
    data = build_cfdi(uuid=U1, issuer=party, receiver=insurer, lines=[Line("85121600", "Consulta", D(1), D(900), None)],
                      issued_at=datetime(2026, 10, 1, 9, 0), cfdi_use="G03")
    other = data + b"\n"  # other bytes (not a PKG-007 duplicate), same UUID, other name
    docs = [EvaluatedDocument(n, K.CFDI_XML, True, parse_cfdi(d).extraction) for n, d in (("A1001.xml", data), (f"{U1}.xml", other))]
    res = folio_cfdi_findings(manifest(), RS, docs + [EvaluatedDocument("A1001.pdf", K.INVOICE_PDF, True, InvoicePdfExtraction(uuid=U1))])
    # the first name in order is kept, the other is rejected naming it
    assert [f.code for f in res.document_findings["A1001.xml"]] == ["CFDI-012"]
    assert res.document_findings["A1001.xml"][0].evidence["same_as"] == f"{U1}.xml"
    assert f"{U1}.xml" not in res.document_findings


def test_byte_duplicates_are_left_to_pkg007():
    ext = CfdiExtraction(uuid=U1, doc_type="I")
    docs = [EvaluatedDocument("a.xml", K.CFDI_XML, True, ext), EvaluatedDocument("b.xml", K.CFDI_XML, True, ext, duplicate_of="a.xml"),
            EvaluatedDocument("a.pdf", K.INVOICE_PDF, True, InvoicePdfExtraction(uuid=U1))]
    assert folio_cfdi_findings(manifest(), RS, docs).document_findings == {}


@pytest.mark.parametrize("n, flagged", [(5, False), (6, True)])
def test_cfdi013_max_invoices(n, flagged):
    files = [xml(f"{i}.xml", f"6F1C2A3B-0000-4000-8000-00000000001{i}") for i in range(n)]
    files.append(xml("p.xml", U2, "P"))  # payment complements are not invoices
    out = invoice_count_findings(files, RS)
    assert bool(out) is flagged
    if out:
        assert out[0].evidence == {"count": 6, "limit": 5}


# --- invoice PDF ------------------------------------------------------------------------------

def content(text, name="f.pdf"):
    return DocumentContent(name, b"", "application/pdf", tuple(text.split("\f")), TextInfo(pages=1, chars=len(text)))


def test_invoice_pdf_from_builder_text():
    import pdfplumber, io
    party = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "44100")
    insurer = Party("BMS030731PC4", "BUPA MEXICO", "601", "11000")
    x = build_cfdi(uuid=U1, issuer=party, receiver=insurer, lines=[Line("85121600", "Consulta", D(1), D("1234.50"))],
                   issued_at=datetime(2026, 10, 1, 9, 0), cfdi_use="G03")
    with pdfplumber.open(io.BytesIO(build_invoice_pdf(x))) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    e = extract_invoice_pdf(content(text))
    assert (e.uuid, e.issuer_rfc, e.receiver_rfc, e.total) == (U1, "GOMA800101AB1", "BMS030731PC4", D("1432.02"))


def test_invoice_pdf_labels_and_case():
    text = ("CLINICA X\nRFC: CME010101AA1\nCliente RFC LOGM850312AB1\nFolio fiscal: "
            + U2.lower() + "\nSubtotal $1,000.00\nIVA $160.00\nTotal $1,160.00\n")
    e = extract_invoice_pdf(content(text))
    assert (e.uuid, e.issuer_rfc, e.receiver_rfc, e.total) == (U2, "CME010101AA1", "LOGM850312AB1", D("1160.00"))


def test_invoice_pdf_nothing_found():
    e = extract_invoice_pdf(content("sin datos"))
    assert (e.uuid, e.issuer_rfc, e.receiver_rfc, e.total) == (None, None, None, None)


# --- foreign invoices -------------------------------------------------------------------------

def fctx(country="US"):
    return DocumentContext(manifest(service_country=country), date(2026, 11, 20), RS, "inv.pdf", "application/pdf", {})


def test_foreign_extraction_us():
    text = "Mercy General Hospital\n123 Main St, Miami, FL, United States\nInvoice date: 10/05/2026\nTotal due: USD 2,450.75\n"
    e = extract_foreign_invoice(content(text))
    assert (e.provider_name, e.country, e.issued_on, e.total, e.currency) == (
        "Mercy General Hospital", "US", date(2026, 10, 5), D("2450.75"), "USD")
    assert validate_foreign_invoice(e, fctx()) == []


def test_foreign_extraction_european_amount_and_day_first():
    e = extract_foreign_invoice(content("Clínica Madrid\nEspaña\nFecha: 05/10/2026\nTOTAL: 1.234,56 €"))
    assert (e.country, e.issued_on, e.total, e.currency) == ("ES", date(2026, 10, 5), D("1234.56"), "EUR")


def test_dates_in_words():
    assert find_date("5 DE OCTUBRE DE 2026", None) == date(2026, 10, 5)
    assert find_date("OCTOBER 5, 2026", None) == date(2026, 10, 5)


def test_for001_excluded_country():
    e = ForeignInvoiceExtraction(provider_name="Hospital", country="CU", issued_on=date(2026, 1, 1), total=D(10))
    assert [f.code for f in validate_foreign_invoice(e, fctx("CU"))] == ["FOR-001"]
    unknown = ForeignInvoiceExtraction(provider_name="Hospital", issued_on=date(2026, 1, 1), total=D(10))
    assert [f.code for f in validate_foreign_invoice(unknown, fctx("IR"))] == ["FOR-001"]
    assert validate_foreign_invoice(unknown, fctx("US")) == []


def test_for002_missing_fields():
    out = validate_foreign_invoice(ForeignInvoiceExtraction(country="US"), fctx())
    assert [f.code for f in out] == ["FOR-002"] and out[0].evidence["missing"] == ["total", "fecha", "proveedor"]
