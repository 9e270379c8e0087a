"""OCR path units: tesseract's TSV parsed with per-word confidences, turned pages put upright,
decompression bombs refused, huge photos downscaled, RFC/CURP misreads corrected only when the
check digit leaves one answer, the CSF QR decoded, legibility evidence, blank signatures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from domain.config import default_ruleset
from domain.extractions import TextInfo
from extractors import ocr
from extractors.content import UnreadableDocument
from extractors.ids import correct_curp, correct_rfc, rfc_candidates
from extractors.loader import read_content
from extractors.qr import csf_qr, parse_csf_qr
from samples.builders import forms
from samples.builders.csf import build_csf, make_rfc
from samples.builders.scan import Degradation, degrade, render_pages, scanned_jpeg
from validators.packaging import legibility

RFC = make_rfc("LOGM850312QH")  # LOGM850312QH5


def test_parse_tsv_keeps_lines_and_word_confidences():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tRFC:\n"
        "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t40.25\tLOGM8503120H5\n"
        "5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t90\tACTIVO\n"
        "5\t1\t1\t1\t2\t2\t0\t0\t10\t10\t12\t \n"
    )
    page = ocr.parse_tsv(tsv)
    assert page.text == "RFC: LOGM8503120H5\nACTIVO"
    assert page.confidences == (96.5, 40.2, 90.0) or page.confidences == (96.5, 40.3, 90.0)
    assert page.words == 3 and page.mean_confidence == pytest.approx((96.5 + 40.25 + 90) / 3, abs=0.1)


def test_rfc_misreads_are_undone_by_the_check_digit():
    assert correct_rfc(["LOGM8503120H5"]) == RFC  # Q read as 0
    assert correct_rfc(["L0GM85O312QH5"]) == RFC  # O/0 swapped in letter and digit positions
    assert correct_rfc(["LOGM850312QH5"]) == RFC


def test_an_unverifiable_or_ambiguous_rfc_is_not_found():
    assert correct_rfc(["LOGM850312QH7"]) is None  # no reading verifies
    assert correct_rfc(["LOGM851312QH5"]) is None  # month 13
    # Two different codes that both verify: no guess.
    other = make_rfc("PEHJ7001015T")
    assert correct_rfc([RFC, other]) is None
    assert len(rfc_candidates("10GM8503120H5")) > 1  # I/L/1 and 0/O/Q/D leave two that verify
    assert correct_rfc(["10GM8503120H5"]) is None


def test_the_qr_rfc_confirms_a_compatible_reading_and_only_that():
    assert correct_rfc(["10GM8503120H5"], confirmed=RFC) == RFC
    assert correct_rfc([], confirmed=RFC) == RFC
    assert correct_rfc(["PEHJ700101XXX"], confirmed=RFC) is None  # the text says another RFC


def test_curp_check_digit_correction():
    curp = "PEHJ700101HDFRRN01"  # born 1970: position 17 must be a digit, so O/0 is no ambiguity
    assert correct_curp([curp]) == curp
    assert correct_curp(["PEHJ7OO1O1HDFRRNO1"]) == curp
    assert correct_curp(["PEHJ700101HDFRRN08"]) is None


def test_the_csf_qr_is_decoded_from_the_page_image_digital_and_photographed():
    pdf = build_csf(rfc=RFC, name="MARIA FERNANDA LOPEZ GARCIA", issued_on=date(2026, 11, 2), id_cif="21050098765")
    qr = csf_qr(pdf, "application/pdf")
    assert (qr.id_cif, qr.rfc) == ("21050098765", RFC)
    photo = scanned_jpeg(pdf, Degradation(rotate=90, skew=2, blur=0.6, noise=25))
    qr = csf_qr(photo, "image/jpeg")
    assert (qr.id_cif, qr.rfc) == ("21050098765", RFC)
    assert parse_csf_qr("https://example.com/?D3=123456_" + RFC) is None  # not SAT's page


def test_a_turned_page_is_put_upright():
    pdf = forms.medical_report(patient="MARIA FERNANDA LOPEZ GARCIA", doctor="JUAN PEREZ", on=date(2026, 11, 10))
    page = degrade(render_pages(pdf, 150, 1)[0], Degradation(rotate=90, noise=10))
    result = ocr.ocr_image(page)
    assert result.rotated == 270
    assert "INFORME" in result.text.upper() and result.mean_confidence >= 80


def test_decompression_bombs_stay_refused():
    buffer = io.BytesIO()
    Image.new("L", (12000, 9000), 255).save(buffer, "PNG")  # 108 Mpx: over Pillow's limit
    with pytest.raises(UnreadableDocument, match="dimensiones"):
        read_content("bomba.jpg", buffer.getvalue(), "image/png")


def test_huge_images_are_downscaled_before_ocr():
    big = Image.new("L", (5000, 4000), 255)
    prepared = ocr.prepare(big)
    assert prepared.width * prepared.height <= ocr.MAX_OCR_PIXELS
    assert prepared.width / prepared.height == pytest.approx(5000 / 4000, rel=0.01)


def test_legibility_evidence_shows_the_numbers():
    ruleset = default_ruleset()
    found = legibility(TextInfo(pages=1, chars=900, ocr=True, ocr_mean_confidence=41.5, ocr_words=150), ruleset)
    assert [f.code for f in found] == ["PKG-008"]
    assert found[0].evidence["ocr_mean_confidence"] == 41.5 and found[0].evidence["threshold"] == 60
    assert found[0].evidence["words"] == 150
    assert legibility(TextInfo(pages=1, chars=900, ocr=True, ocr_mean_confidence=85, ocr_words=150), ruleset) == []


def test_a_blank_photo_is_illegible():
    buffer = io.BytesIO()
    Image.new("L", (800, 1000), 250).save(buffer, "JPEG")
    content = read_content("foto.jpg", buffer.getvalue(), "image/jpeg")
    assert content.text_info.ocr and content.text_info.chars < 40
    assert [f.code for f in legibility(content.text_info, default_ruleset())] == ["PKG-008"]


@pytest.mark.parametrize("build", [forms.claim_form_b, forms.claim_form])
def test_forms_record_an_unsigned_signature_area(build):
    from extractors.forms import extract_form

    on = date(2026, 11, 10)
    for signed in (True, False):
        pdf = build(patient="SOFIA LOPEZ", holder="MARIA LOPEZ", policy="1", on=on, signed=signed)
        got = extract_form("claim_form", read_content("f.pdf", pdf, "application/pdf"))
        assert got.signed is signed
        assert got.patient_name == "SOFIA LOPEZ" and got.document_date == on


def test_a_huge_photo_is_decoded_downscaled_and_read():
    buffer = io.BytesIO()
    Image.new("L", (6000, 4500), 255).save(buffer, "JPEG")  # 27 Mpx: under the bomb limit, over OCR's
    content = read_content("foto.jpg", buffer.getvalue(), "image/jpeg")
    assert content.text_info.ocr and content.text_info.pages == 1


def test_pdf_reader_refuses_a_page_tree_cycle_and_caps_a_huge_page_in_process():
    """Found by the hostile corpus: without the sandbox these crashed or allocated ~1.6 GB."""
    import resource

    from hostile_corpus import cases

    from extractors.content import UnreadableDocument
    from extractors.loader import read_content

    made = {case.id: make for case, make in cases()}
    with pytest.raises(UnreadableDocument, match="página"):
        read_content("ciclo.pdf", made["pdf-page-tree-cycle"]())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    content = read_content("enorme.pdf", made["pdf-huge-page"]())
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert content.text_info.ocr and grown_mb < 300
