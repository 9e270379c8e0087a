"""Issue 14 item 3: a document with a kind's distinctive markers is that kind even when its other
fields are missing, and legible digital text is never PKG-008."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

import extractors
from domain.config import default_ruleset
from domain.kinds import DocumentKind
from extractors.classify import classify_text
from validators.packaging import legibility


def tiny_pdf(*lines: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(300, 120), invariant=1)
    for i, line in enumerate(lines):
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(10, 95 - 25 * i, line)
    canvas.save()
    return buffer.getvalue()


def test_a_crisp_fragment_with_an_idcif_is_a_certificate_and_legible():
    data = tiny_pdf("idCIF: 25010123456", "LOGM850312QX4")  # under 40 characters of text
    doc = extractors.read_document("recorte.pdf", data, "application/pdf")
    assert doc.kind is DocumentKind.TAX_STATUS_CERTIFICATE
    assert not doc.content.text_info.ocr
    assert legibility(doc.content.text_info, default_ruleset()) == []
    assert doc.extraction.id_cif == "25010123456" and doc.extraction.rfc == "LOGM850312QX4"


def test_a_clabe_with_a_statement_period_is_a_bank_statement():
    text = "Cuenta 012180012345678909\nPeriodo del 01/10/2025 al 31/10/2025\nSaldo final 1,200.00"
    assert classify_text(text).kind is DocumentKind.BANK_STATEMENT


def test_a_clabe_without_a_period_is_not_enough():
    # A reimbursement request prints the claimant's CLABE too; it carries no statement period.
    assert classify_text("Cuenta 012180012345678909\nTotal 1,200.00").kind is DocumentKind.OTHER


def test_an_invalid_clabe_is_no_marker():
    text = "Referencia 012180012345678900\nPeriodo del 01/10/2025 al 31/10/2025"
    assert classify_text(text).kind is not DocumentKind.BANK_STATEMENT


def test_a_title_of_another_kind_still_wins_over_markers():
    text = "SOLICITUD DE REEMBOLSO\nCLABE 012180012345678909\nPeriodo del 01/10/2025 al 31/10/2025"
    assert classify_text(text).kind is DocumentKind.REIMBURSEMENT_FORM
