from factories import codes_as_found as codes

from domain.findings import Outcome
from extractors.sniff import EMPTY, JPEG, PDF, PNG, XML, sniff_media_type
from validators import packaging
from validators.packaging import FileFacts


def facts(name, media_type, size=100, sha="a" * 64):
    return FileFacts(name, size, sha, media_type)


def test_sniffing_reads_bytes_not_names():
    assert sniff_media_type(b"%PDF-1.7\n...") == PDF
    assert sniff_media_type(b"\xef\xbb\xbf<?xml version='1.0'?><a/>") == XML
    assert sniff_media_type(b"  \n<cfdi:Comprobante xmlns:cfdi='x'/>") == XML
    assert sniff_media_type(b"\x89PNG\r\n\x1a\n" + b"\0" * 32) == PNG
    assert sniff_media_type(b"\xff\xd8\xff\xe0" + b"\0" * 32) == JPEG
    assert sniff_media_type(b"") == EMPTY
    assert sniff_media_type(b"hello world") not in (PDF, XML)


def test_disallowed_extension_is_pkg001_only():
    assert codes(packaging.file_type_findings(facts("notas.docx", "application/zip"))) == ["PKG-001"]
    assert codes(packaging.file_type_findings(facts("sin_extension", PDF))) == ["PKG-001"]
    assert codes(packaging.file_type_findings(facts("foto.png", PNG))) == ["PKG-001"]


def test_png_named_jpg_is_pkg002_not_pkg001():
    assert codes(packaging.file_type_findings(facts("foto.jpg", PNG))) == ["PKG-002"]
    assert codes(packaging.file_type_findings(facts("factura.xml", PDF))) == ["PKG-002"]


def test_matching_types_pass_including_upper_case_extensions():
    for name, media in (("a.PDF", PDF), ("b.xml", XML), ("c.JPEG", JPEG), ("d.jpg", JPEG)):
        assert packaging.file_type_findings(facts(name, media)) == []


def test_empty_file_is_pkg006():
    found = packaging.file_type_findings(facts("informe.pdf", EMPTY, size=0))
    assert codes(found) == ["PKG-006"]
    assert "vacío" in found[0].message_es


def test_special_characters_in_names():
    assert codes(packaging.name_findings(facts("informe_médico.pdf", PDF))) == ["PKG-003"]
    assert codes(packaging.name_findings(facts("factura#12.pdf", PDF))) == ["PKG-003"]
    assert codes(packaging.name_findings(facts("factura.final.pdf", PDF))) == ["PKG-003"]
    assert codes(packaging.name_findings(facts("año.pdf", PDF))) == ["PKG-003"]
    assert packaging.name_findings(facts("Factura A-123_final 2.pdf", PDF)) == []


def test_folio_limits_count_and_size_at_the_edge(ruleset):
    fifty = [facts(f"f{i}.pdf", PDF, size=1) for i in range(50)]
    assert packaging.folio_limits(fifty, ruleset) == []
    assert codes(packaging.folio_limits(fifty + [facts("x.pdf", PDF, size=1)], ruleset)) == ["PKG-004"]
    exact = [facts("big.pdf", PDF, size=52_428_800)]
    assert packaging.folio_limits(exact, ruleset) == []
    over = [facts("big.pdf", PDF, size=52_428_801)]
    found = packaging.folio_limits(over, ruleset)
    assert codes(found) == ["PKG-005"] and found[0].evidence["bytes"] == 52_428_801


def test_duplicates_keep_the_first_and_warn():
    files = [facts("a.pdf", PDF, sha="1" * 64), facts("b.pdf", PDF, sha="2" * 64), facts("c.pdf", PDF, sha="1" * 64)]
    assert packaging.find_duplicates(files) == {"c.pdf": "a.pdf"}
    assert packaging.duplicate_finding("a.pdf").outcome is Outcome.WARN


def test_legibility_threshold(ruleset):
    from domain.extractions import TextInfo

    assert packaging.legibility(TextInfo(chars=500), ruleset) == []  # digital text: not judged
    good = TextInfo(chars=500, ocr=True, ocr_mean_confidence=85, ocr_words=90)
    assert packaging.legibility(good, ruleset) == []
    blurry = TextInfo(chars=500, ocr=True, ocr_mean_confidence=59.9, ocr_words=90)
    assert codes(packaging.legibility(blurry, ruleset)) == ["PKG-008"]
    blank = TextInfo(chars=0, ocr=True, ocr_mean_confidence=0, ocr_words=0)
    assert codes(packaging.legibility(blank, ruleset)) == ["PKG-008"]
