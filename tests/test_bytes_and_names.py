"""Issue 13, "bytes and names": what a file is comes from the magic number at its start; a CFDI
in UTF-16/32 is XML refused as not UTF-8 (CFDI-002); names that are not UTF-8 and entries that
are not regular files are findings, never a crash and never followed; folio.json is read without
following a link, and refused with duplicate keys or an intake date in the future."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import extractors
from claim_intake import pipeline
from claim_intake.config import Settings, default_ruleset
from storage import open_storage

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "folios"
CFDI_FOLIO = SAMPLES / "RB-2026-000101"
CFDI_FILE = "76B27345-D033-507E-BB24-54638DAF4992.xml"
AS_OF = date(2026, 11, 20)


def _jpeg_with_pdf_comment() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, "JPEG")
    jpeg = buf.getvalue()
    comment = b"%PDF-1.7 not a pdf"
    com = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return jpeg[:2] + com + jpeg[2:]  # the COM segment right after SOI


def _reencoded(data: bytes, codec: str, bom: bool = True) -> bytes:
    text = data.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{codec.split("-")[0].upper()}-{codec.split("-")[1]}"')
    body = text.encode(codec)
    marks = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}
    return (marks[codec] if bom else b"") + body


@pytest.mark.parametrize("codec,bom", [("utf-16-le", True), ("utf-16-be", True), ("utf-32-le", True),
                                       ("utf-16-le", False)])
def test_utf16_and_utf32_xml_is_sniffed_as_xml(codec, bom):
    data = _reencoded((CFDI_FOLIO / CFDI_FILE).read_bytes(), codec, bom)
    assert extractors.sniff_media_type(data) == "application/xml"


def test_a_jpeg_is_a_jpeg_whatever_its_comment_says():
    data = _jpeg_with_pdf_comment()
    assert b"%PDF-" in data[:1024]
    assert extractors.sniff_media_type(data) == "image/jpeg"
    # Without a start-anchored magic number a PDF header in the first KiB still counts (PDF readers).
    assert extractors.sniff_media_type(b"garbage\n" * 10 + b"%PDF-1.4\n") == "application/pdf"


def _run(folder: Path, home: Path):
    storage = open_storage(Settings(home=home))
    rules = default_ruleset()
    stored = pipeline.store_originals(*pipeline.read_folio_dir(folder), storage)
    packaging = pipeline.check_packaging(stored, rules)
    read = pipeline.read_documents(stored, packaging, rules)
    findings = pipeline.validate_documents(stored, read, rules, AS_OF, {})
    return pipeline.decide(stored, packaging, read, findings, rules, AS_OF, datetime.now(timezone.utc)), storage


def test_a_utf16_cfdi_is_cfdi_002_not_utf8(tmp_path):
    folder = tmp_path / "folio"
    folder.mkdir()
    shutil.copy(CFDI_FOLIO / "folio.json", folder / "folio.json")
    shutil.copy(CFDI_FOLIO / CFDI_FILE.replace(".xml", ".pdf"), folder)  # its pair (CFDI-010)
    (folder / CFDI_FILE).write_bytes(_reencoded((CFDI_FOLIO / CFDI_FILE).read_bytes(), "utf-16-le"))
    decision, _ = _run(folder, tmp_path / "home")
    doc = next(d for d in decision.documents if d.file == CFDI_FILE)
    assert doc.media_type == "application/xml" and doc.kind.value == "cfdi_xml"
    assert [f.code for f in doc.findings] == ["CFDI-002"]
    assert "UTF-8" in doc.findings[0].message_es and "UTF-16" in doc.findings[0].message_es
    assert doc.extracted.get("uuid")  # read all the same: the adjudicator sees what it says


def test_a_jpeg_with_pdf_in_its_comment_is_read_as_a_jpeg(tmp_path):
    folder = tmp_path / "folio"
    folder.mkdir()
    shutil.copy(CFDI_FOLIO / "folio.json", folder / "folio.json")
    (folder / "foto.jpg").write_bytes(_jpeg_with_pdf_comment())
    decision, _ = _run(folder, tmp_path / "home")
    [doc] = decision.documents
    assert doc.media_type == "image/jpeg"
    assert "PKG-002" not in {f.code for f in doc.findings}
