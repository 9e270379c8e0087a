"""Scanned versions of every sample CSF and bank statement (rotation, skew, blur, noise): the key
fields come out exactly as in the digital original, or the document is refused (illegible,
PKG-008, or the field is reported missing) — never a wrong value accepted silently."""

from __future__ import annotations

from datetime import date

from labelled.reads import read_labelled

import extractors
from domain.config import default_ruleset
from domain.folio import FolioManifest
from extractors.content import DocumentContent
from extractors.sniff import sniff_media_type
from validators.context import DocumentContext
from validators.packaging import legibility

RULESET = default_ruleset()
KEY_FIELDS = {"tax_status_certificate": ("rfc", "status", "issued_on"), "bank_statement": ("clabe", "period_end")}


def _scans():
    return [
        (item, doc)
        for item, doc in read_labelled()
        if item.group == "scanned" and item.kind in KEY_FIELDS and item.original is not None
    ]


def test_every_sample_csf_and_statement_has_a_scan():
    kinds = {item.kind for item, _ in _scans()}
    assert kinds == set(KEY_FIELDS)
    assert sum(1 for item, _ in _scans() if item.layout == "sample") >= 8


def test_key_fields_are_exact_or_the_document_is_refused():
    exact = refused = 0
    for item, doc in _scans():
        truth, _ = extractors.extract(doc.kind, _digital(item.original))
        illegible = legibility(doc.content.text_info, RULESET)
        for field in KEY_FIELDS[item.kind]:
            expected, got = getattr(truth, field), getattr(doc.extraction, field)
            assert expected is not None, (item.name, field)
            if got == expected:
                exact += 1
            else:  # a wrong value must never be accepted: illegible, or not found
                assert illegible or got is None, (item.name, field, got, expected)
                refused += 1
    assert exact >= 4 * refused  # the scans are readable: most fields must come out


def test_scanned_csf_keeps_the_qr_idcif_and_a_verified_rfc():
    for item, doc in _scans():
        if item.kind == "tax_status_certificate":
            truth, _ = extractors.extract(doc.kind, _digital(item.original))
            assert doc.extraction.id_cif == truth.id_cif, item.name  # from the QR, exact
            assert doc.extraction.rfc in (truth.rfc, None), item.name


def test_a_multi_page_scanned_statement_is_read_only_on_its_first_page():
    statements = [(i, d) for i, d in read_labelled() if i.group == "scanned" and i.kind == "bank_statement"]
    multi = [(i, d) for i, d in statements if d.content.text_info.pages > 1]
    for item, doc in multi:
        assert len(doc.content.pages) == 1, item.name
    digital = next(d for i, d in read_labelled() if i.group == "digital" and i.name == "estado_bbva.pdf")
    assert digital.content.text_info.pages == 3 and digital.extraction.period_end is not None


def _digital(pdf: bytes) -> DocumentContent:
    return extractors.read_content("original.pdf", pdf, sniff_media_type(pdf))


def _ctx(name: str, media_type: str) -> DocumentContext:
    manifest = FolioManifest.model_validate(
        {
            "folio": "DF-2026-000999",
            "claim_type": "datos_fiscales",
            "received_at": "2026-11-20T10:00:00-06:00",
            "holder": {"name": "MARIA FERNANDA LOPEZ GARCIA"},
        }
    )
    return DocumentContext(
        manifest=manifest, as_of=date(2026, 11, 20), ruleset=RULESET, file_name=name, media_type=media_type
    )


def test_a_scanned_csf_inside_a_pdf_is_still_a_pdf_and_a_photo_is_csf001():
    pdfs = jpgs = 0
    for item, doc in read_labelled():
        if item.group != "scanned" or item.kind != "tax_status_certificate":
            continue
        media_type = sniff_media_type(item.data)
        codes = [f.code for f in extractors.kinds.validate_document(doc, _ctx(item.name, media_type))]
        if media_type == "application/pdf":
            pdfs += 1
            assert "CSF-001" not in codes, (item.name, codes)
        else:
            jpgs += 1
            assert codes == ["CSF-001"], (item.name, codes)
    assert pdfs and jpgs
