"""Folio-level CFDI rules (CFDI-010, CFDI-012 in-folio, CFDI-013), invoice PDF text extraction,
foreign invoices (FOR-001/002)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D  # noqa: N817 - amounts read like literals: D("1500.00")
from functools import partial

import factories
import pytest

from domain.config import default_ruleset
from domain.extractions import CfdiExtraction, CsfExtraction, ForeignInvoiceExtraction, InvoicePdfExtraction, TextInfo
from domain.kinds import DocumentKind as K
from extractors.cfdi_xml import parse_cfdi
from extractors.content import DocumentContent
from extractors.foreign_invoice import extract_foreign_invoice, find_date
from extractors.invoice_pdf import extract_invoice_pdf
from samples.builders.cfdi import Line, Party, build_cfdi, build_invoice_pdf
from validators.cfdi import (
    InvoiceFile,
    duplicate_uuid_findings,
    folio_cfdi_findings,
    invoice_count_findings,
    pairing_findings,
    party_csf_findings,
    payment_links,
    validate_foreign_invoice,
)
from validators.context import DocumentContext, EvaluatedDocument

RS = default_ruleset()
U1 = "6F1C2A3B-0000-4000-8000-0000000000C1"
U2 = "6F1C2A3B-0000-4000-8000-0000000000C2"


manifest = partial(factories.manifest, folio="RB-2026-000200")


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
    data = build_cfdi(
        uuid=U1,
        issuer=party,
        receiver=insurer,
        lines=[Line("85121600", "Consulta", D(1), D(900), None)],
        issued_at=datetime(2026, 10, 1, 9, 0),
        cfdi_use="G03",
    )
    other = data + b"\n"  # other bytes (not a PKG-007 duplicate), same UUID, other name
    docs = [
        EvaluatedDocument(n, K.CFDI_XML, True, parse_cfdi(d).extraction)
        for n, d in (("A1001.xml", data), (f"{U1}.xml", other))
    ]
    res = folio_cfdi_findings(
        manifest(), RS, docs + [EvaluatedDocument("A1001.pdf", K.INVOICE_PDF, True, InvoicePdfExtraction(uuid=U1))]
    )
    # the first name in order is kept, the other is rejected naming it
    assert [f.code for f in res.document_findings["A1001.xml"]] == ["CFDI-012"]
    assert res.document_findings["A1001.xml"][0].evidence["same_as"] == f"{U1}.xml"
    assert f"{U1}.xml" not in res.document_findings


def test_byte_duplicates_are_left_to_pkg007():
    ext = CfdiExtraction(uuid=U1, doc_type="I")
    docs = [
        EvaluatedDocument("a.xml", K.CFDI_XML, True, ext),
        EvaluatedDocument("b.xml", K.CFDI_XML, True, ext, duplicate_of="a.xml"),
        EvaluatedDocument("a.pdf", K.INVOICE_PDF, True, InvoicePdfExtraction(uuid=U1)),
    ]
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
    import io

    import pdfplumber

    party = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "44100")
    insurer = Party("BMS030731PC4", "BUPA MEXICO", "601", "11000")
    x = build_cfdi(
        uuid=U1,
        issuer=party,
        receiver=insurer,
        lines=[Line("85121600", "Consulta", D(1), D("1234.50"))],
        issued_at=datetime(2026, 10, 1, 9, 0),
        cfdi_use="G03",
    )
    with pdfplumber.open(io.BytesIO(build_invoice_pdf(x))) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    e = extract_invoice_pdf(content(text))
    assert (e.uuid, e.issuer_rfc, e.receiver_rfc, e.total) == (U1, "GOMA800101AB1", "BMS030731PC4", D("1432.02"))


def test_invoice_pdf_labels_and_case():
    text = (
        "CLINICA X\nRFC: CME010101AA1\nCliente RFC LOGM850312AB1\nFolio fiscal: "
        + U2.lower()
        + "\nSubtotal $1,000.00\nIVA $160.00\nTotal $1,160.00\n"
    )
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
        "Mercy General Hospital",
        "US",
        date(2026, 10, 5),
        D("2450.75"),
        "USD",
    )
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


# --- CFDI-016: party data against the party's CSF ------------------------------------------------


HOLDER_RFC, HOLDER_NAME = "LOGM850312AB1", "MARIA FERNANDA LOPEZ GARCIA"
PROV_RFC, PROV_NAME = "ROSA800101AB4", "ANA ROSALES SANCHEZ"


def holder_csf(**over):
    data = dict(rfc=HOLDER_RFC, name="LOPEZ GARCIA MARIA FERNANDA", postal_code="03100", regime_codes=["605"])
    data.update(over)
    return EvaluatedDocument("constancia.pdf", K.TAX_STATUS_CERTIFICATE, True, CsfExtraction(**data))


def to_holder(**over):
    data = dict(
        uuid=U1,
        doc_type="I",
        issuer_rfc="GOMA800101AB1",
        receiver_rfc=HOLDER_RFC,
        receiver_name="Sra. María Fernanda López García",
        receiver_postal_code="03100",
        receiver_regime="605",
    )
    data.update(over)
    return EvaluatedDocument(f"{U1}.xml", K.CFDI_XML, True, CfdiExtraction(**data))


def holder_manifest(**over):
    base = {"holder": {"name": HOLDER_NAME, "rfc": HOLDER_RFC}}
    base.update(over)
    return manifest(**base)


def test_cfdi016_receiver_matches_holder_csf():
    assert party_csf_findings(holder_manifest(), RS, [to_holder(), holder_csf()]) == {}


@pytest.mark.parametrize(
    "field, over",
    [
        ("name", {"receiver_name": "MARIA LOPEZ GARCIA"}),
        ("postal_code", {"receiver_postal_code": "03200"}),
        ("regime", {"receiver_regime": "612"}),
    ],
)
def test_cfdi016_receiver_field_differs(field, over):
    pdf_doc = EvaluatedDocument(f"{U1}.pdf", K.INVOICE_PDF, True, InvoicePdfExtraction(uuid=U1))
    out = folio_cfdi_findings(holder_manifest(), RS, [to_holder(**over), pdf_doc, holder_csf()]).document_findings
    found = out[f"{U1}.xml"]
    assert [f.code for f in found] == ["CFDI-016"] and found[0].outcome.value == "warn"
    assert [d["field"] for d in found[0].evidence["differences"]] == [field]
    assert found[0].evidence["party"] == "receiver" and found[0].evidence["csf_file"] == "constancia.pdf"


def test_cfdi016_invoices_to_the_insurer_or_contractor_not_compared():
    m = holder_manifest(contractor={"name": "EMPRESA", "rfc": "EMP010101AB1"})
    docs = [to_holder(receiver_rfc="BMS030731PC4", receiver_name="BUPA"), holder_csf()]
    assert party_csf_findings(m, RS, docs) == {}
    docs = [to_holder(receiver_rfc="EMP010101AB1", receiver_name="EMPRESA", receiver_regime="601"), holder_csf()]
    assert party_csf_findings(m, RS, docs) == {}


def test_cfdi016_rfc_difference_masked_and_not_doubled_with_cfdi009():
    stranger = to_holder(receiver_rfc="XAXX010101000", receiver_name="OTRA PERSONA")
    # holder RFC declared: the stranger receiver is CFDI-009's (document level), not repeated here
    assert party_csf_findings(holder_manifest(), RS, [stranger, holder_csf()]) == {}
    # no holder RFC declared: the folio's only CSF is the holder's, and the RFC difference is reported
    m = manifest(holder={"name": HOLDER_NAME})
    found = party_csf_findings(m, RS, [stranger, holder_csf()])[f"{U1}.xml"][0]
    assert found.evidence["differences"] == [{"field": "rfc", "invoice": "XAXX******000", "csf": "LOGM******AB1"}]
    assert HOLDER_RFC not in str(found.evidence) and "XAXX010101000" not in found.message_es


def test_cfdi016_provider_issuer_against_provider_csf():
    m = manifest(
        claim_type="pago_proveedor", provider={"name": PROV_NAME, "rfc": PROV_RFC, "care_order_account": "OA-1"}
    )
    csf = EvaluatedDocument(
        "csf.pdf",
        K.TAX_STATUS_CERTIFICATE,
        True,
        CsfExtraction(rfc=PROV_RFC, name=PROV_NAME, postal_code="44600", regime_codes=["612"]),
    )
    inv = dict(
        uuid=U1,
        doc_type="I",
        issuer_rfc=PROV_RFC,
        issuer_name="Dra. Ana Rosales Sánchez",
        issuer_regime="612",
        receiver_rfc="BMS030731PC4",
        receiver_postal_code="11000",
    )
    ok = EvaluatedDocument("a.xml", K.CFDI_XML, True, CfdiExtraction(**inv))
    assert party_csf_findings(m, RS, [ok, csf]) == {}
    resico = EvaluatedDocument("a.xml", K.CFDI_XML, True, CfdiExtraction(**{**inv, "issuer_regime": "626"}))
    found = party_csf_findings(m, RS, [resico, csf])["a.xml"][0]
    assert found.evidence["party"] == "issuer" and found.evidence["differences"][0]["field"] == "regime"
    other = EvaluatedDocument("a.xml", K.CFDI_XML, True, CfdiExtraction(**{**inv, "issuer_rfc": "GOMA800101AB1"}))
    found = party_csf_findings(m, RS, [other, csf])["a.xml"][0]
    assert [d["field"] for d in found.evidence["differences"]] == ["rfc"]
    # the issuer's postal code is not a CFDI-016 field (only the receiver's DomicilioFiscalReceptor is)
    assert (
        party_csf_findings(
            m,
            RS,
            [
                ok,
                EvaluatedDocument(
                    "csf.pdf",
                    K.TAX_STATUS_CERTIFICATE,
                    True,
                    csf.extraction.model_copy(update={"postal_code": "06700"}),
                ),
            ],
        )
        == {}
    )


def test_cfdi016_no_csf_or_other_claim_types():
    assert party_csf_findings(holder_manifest(), RS, [to_holder(receiver_regime="612")]) == {}
    m = manifest(claim_type="datos_fiscales", holder={"name": HOLDER_NAME, "rfc": HOLDER_RFC})
    assert party_csf_findings(m, RS, [to_holder(receiver_regime="612"), holder_csf()]) == {}


# --- payment complements -----------------------------------------------------------------------

P1 = "6F1C2A3B-0000-4000-8000-0000000000D1"


def test_payment_complement_linked_to_folio_invoice_from_real_xml():
    from samples.builders.cfdi import build_payment_complement

    party = Party("GOMA800101AB1", "ANA GOMEZ MARTINEZ", "612", "44100")
    insurer = Party("BMS030731PC4", "BUPA MEXICO", "601", "11000")
    inv = build_cfdi(
        uuid=U1,
        issuer=party,
        receiver=insurer,
        lines=[Line("85121600", "Consulta", D(1), D(900), None)],
        issued_at=datetime(2026, 10, 1, 9, 0),
        cfdi_use="G03",
        payment_method="PPD",
        payment_form="99",
    )
    pay = build_payment_complement(
        uuid=P1, invoice_uuid=U1, issuer=party, receiver=insurer, amount=D(900), paid_at=datetime(2026, 10, 20, 12, 0)
    )
    stray = build_payment_complement(
        uuid=U2,
        invoice_uuid="6F1C2A3B-0000-4000-8000-0000000000FF",
        issuer=party,
        receiver=insurer,
        amount=D(100),
        paid_at=datetime(2026, 10, 21, 12, 0),
        folio="2",
    )
    docs = [
        EvaluatedDocument(f"{U1}.xml", K.CFDI_XML, True, parse_cfdi(inv).extraction),
        EvaluatedDocument(f"{U1}.pdf", K.INVOICE_PDF, True, InvoicePdfExtraction(uuid=U1)),
        EvaluatedDocument(f"{P1}.xml", K.PAYMENT_COMPLEMENT, True, parse_cfdi(pay).extraction),
        # labelled cfdi_xml by the portal: still a payment complement (no PDF needed, not counted)
        EvaluatedDocument(f"{U2}.xml", K.CFDI_XML, True, parse_cfdi(stray).extraction),
    ]
    res = folio_cfdi_findings(manifest(claim_type="pago_proveedor"), RS, docs)
    assert res.document_findings == {} and res.findings == []
    assert res.payment_links[f"{P1}.xml"]["linked_invoices"] == {U1: f"{U1}.xml"}
    assert res.payment_links[f"{P1}.xml"]["unlinked"] == []
    assert res.payment_links[f"{U2}.xml"] == {
        "uuid": U2,
        "related_documents": ["6F1C2A3B-0000-4000-8000-0000000000FF"],
        "linked_invoices": {},
        "unlinked": ["6F1C2A3B-0000-4000-8000-0000000000FF"],
    }


def test_payment_links_ignore_byte_duplicates():
    p = CfdiExtraction(kind="payment_complement", uuid=P1, doc_type="P", related_documents=[U1.lower()])
    i = CfdiExtraction(uuid=U1, doc_type="I")
    docs = [
        EvaluatedDocument("i.xml", K.CFDI_XML, True, i),
        EvaluatedDocument("p.xml", K.PAYMENT_COMPLEMENT, True, p),
        EvaluatedDocument("p2.xml", K.PAYMENT_COMPLEMENT, True, p, duplicate_of="p.xml"),
    ]
    assert payment_links(docs) == {
        "p.xml": {"uuid": P1, "related_documents": [U1], "linked_invoices": {U1: "i.xml"}, "unlinked": []}
    }


def test_cfdi016_a_company_name_with_and_without_its_legal_form_is_one_name():
    rfc = "CVA050101AB1"
    m = manifest(
        claim_type="pago_proveedor", provider={"name": "CLINICA DEL VALLE", "rfc": rfc, "care_order_account": "OA-1"}
    )
    csf = EvaluatedDocument(
        "csf.pdf",
        K.TAX_STATUS_CERTIFICATE,
        True,
        CsfExtraction(rfc=rfc, name="CLINICA DEL VALLE", postal_code="44600", regime_codes=["601"]),
    )
    inv = EvaluatedDocument(
        "a.xml",
        K.CFDI_XML,
        True,
        CfdiExtraction(
            uuid=U1,
            doc_type="I",
            issuer_rfc=rfc,
            issuer_name="CLINICA DEL VALLE, S.A. DE C.V.",
            issuer_regime="601",
            receiver_rfc="BMS030731PC4",
            receiver_postal_code="11000",
        ),
    )
    assert party_csf_findings(m, RS, [inv, csf]) == {}
