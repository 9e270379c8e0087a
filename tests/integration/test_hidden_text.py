"""PKG-009: a PDF's text layer that a person cannot see is never believed over the page.

The forgery of issue 13: a CSF whose pages show another person's certificate (a picture of it)
while a text layer nobody sees carries the holder's data. Without PKG-009 the pipeline read the
hidden layer and accepted it; the page itself must decide, so it gets CSF-004. Every variant is
built here from the samples' own CSF builder and judged through the folio's decision."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from samples import generate as g
from samples.builders.csf import build_csf, make_rfc

AS_OF = date(2026, 11, 20)
OTHER_RFC = make_rfc("SAJR900214KL")
OTHER_NAME = "RICARDO SANCHEZ JUAREZ"
WIDTH, HEIGHT = letter


def _pages_text(data: bytes) -> list[list[str]]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n") for page in pdf]
    finally:
        pdf.close()


def _page_pictures(data: bytes, dpi: int = 150) -> list[ImageReader]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [ImageReader(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("RGB")) for page in pdf]
    finally:
        pdf.close()


def _text_layer(
    canvas: Canvas, lines: list[str], x: float, top: float, size: float, mode: int = 0, white: bool = False
) -> None:
    canvas.saveState()
    if white:
        canvas.setFillColorRGB(1, 1, 1)
    layer = canvas.beginText(x, top)
    layer.setFont("Helvetica", size)
    layer.setLeading(size * 1.15)
    layer.setTextRenderMode(mode)
    for line in lines:
        layer.textLine(line)
    canvas.drawText(layer)
    canvas.restoreState()


def forged_csf(variant: str) -> bytes:
    """Pages that show OTHER's CSF as a picture, with the holder's CSF text hidden as `variant`
    says; "none" is the picture alone (what a person sees, without any text layer)."""
    shown = build_csf(rfc=OTHER_RFC, name=OTHER_NAME, issued_on=date(2026, 11, 5), postal_code="03100")
    holder = build_csf(
        rfc=g.HOLDER.rfc, name=g.HOLDER.name, issued_on=date(2026, 11, 5), postal_code=g.HOLDER.postal_code
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    for picture, lines in zip(_page_pictures(shown), _pages_text(holder), strict=True):
        if variant == "under_image":  # ordinary black text, then the picture painted over it
            _text_layer(canvas, lines, 40, HEIGHT - 40, 9)
        if variant == "background_colour":  # picture above a white strip holding white text
            canvas.drawImage(picture, 0, 100, WIDTH * (HEIGHT - 100) / HEIGHT, HEIGHT - 100)
            _text_layer(canvas, lines, 20, 96, 2, white=True)
        else:
            canvas.drawImage(picture, 0, 0, WIDTH, HEIGHT)
        if variant == "invisible":  # a scanner's OCR layer looks like this, but says something else
            _text_layer(canvas, lines, 40, HEIGHT - 40, 9, mode=3)
        elif variant == "off_page":
            _text_layer(canvas, lines, -2000, HEIGHT - 40, 9)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def csf_folio(root: Path, name: str, pdf: bytes) -> Path:
    """A datos_fiscales folio of the holder (as DF-2026-000301) with this CSF."""
    folder = root / name
    folder.mkdir(parents=True)
    manifest = json.loads((g.OUT / "DF-2026-000301" / "folio.json").read_text())
    manifest["folio"] = name
    (folder / "folio.json").write_text(json.dumps(manifest))
    (folder / "constancia.pdf").write_bytes(pdf)
    return folder


def decide(folder: Path):
    """The folio's decision through the pipeline as the flow's task runs it (sandboxed reads),
    without Prefect around it."""
    from flows.intake import process_folio

    return process_folio.fn(str(folder), AS_OF).decision


def csf_findings(decision) -> dict[str, str]:
    (doc,) = [d for d in decision.documents if d.file == "constancia.pdf"]
    return {f.code: f for f in doc.findings}


@pytest.mark.parametrize("variant", ["invisible", "background_colour", "off_page", "under_image"])
def test_hidden_holder_data_does_not_pass_a_page_showing_another_rfc(home, tmp_path, variant):
    decision = decide(csf_folio(tmp_path, f"DF-2026-0099{len(variant):02d}", forged_csf(variant)))
    findings = csf_findings(decision)
    assert decision.route.value == "pending_documents", decision.codes()
    assert findings["PKG-009"].outcome == "warn"
    assert findings["CSF-004"].outcome == "reject"  # judged on the RFC the page shows
    evidence = findings["PKG-009"].evidence
    assert variant in evidence["causes"] and evidence["pages"][0] == 1
    assert all(h["chars"] >= 3 for h in evidence["hidden"])
    # never the hidden text itself: neither RFC appears in the evidence or the message
    shown = json.dumps(evidence) + findings["PKG-009"].message_es
    assert g.HOLDER.rfc not in shown and OTHER_RFC not in shown


def test_the_picture_alone_is_csf004_and_no_pkg009(home, tmp_path):
    findings = csf_findings(decide(csf_folio(tmp_path, "DF-2026-009901", forged_csf("none"))))
    assert "CSF-004" in findings and "PKG-009" not in findings


def test_an_ordinary_csf_has_no_pkg009(home, tmp_path):
    ordinary = build_csf(
        rfc=g.HOLDER.rfc, name=g.HOLDER.name, issued_on=date(2026, 11, 5), postal_code=g.HOLDER.postal_code
    )
    decision = decide(csf_folio(tmp_path, "DF-2026-009902", ordinary))
    assert decision.route.value == "adjudication" and "PKG-009" not in decision.codes()


def test_no_sample_folio_has_hidden_text(home, tmp_path, sample_folios):
    """No false positives: every sample folio still routes with exactly its expected codes."""
    for folder in sample_folios:
        expected = json.loads((folder.parent / f"{folder.name}.expected.json").read_text())
        copy = tmp_path / folder.name
        shutil.copytree(folder, copy)
        from flows.intake import process_folio

        decision = process_folio.fn(str(copy), date.fromisoformat(expected["as_of"])).decision
        assert "PKG-009" not in decision.codes(), folder.name
        assert (decision.route.value, decision.codes()) == (expected["route"], expected["codes"]), folder.name


# ------------------------------------------------------------------ key fields against the page


def covered_csf() -> bytes:
    """The holder's own CSF with every printed RFC painted over by a white box: the text layer
    still says the holder's RFC, in ordinary black text, but no one can see it. Nothing in the
    page's objects gives that away (a white rectangle is an ordinary shape); only comparing the
    text layer with an OCR of where the RFC is printed does."""
    from reportlab.pdfgen.canvas import Canvas as Overlay

    data = build_csf(
        rfc=g.HOLDER.rfc, name=g.HOLDER.name, issued_on=date(2026, 11, 5), postal_code=g.HOLDER.postal_code
    )
    pdf = pypdfium2.PdfDocument(data)
    for index in range(len(pdf)):
        page = pdf[index]
        textpage = page.get_textpage()
        searcher = textpage.search(g.HOLDER.rfc)
        boxes = []
        while (match := searcher.get_next()) is not None:
            chars = [textpage.get_charbox(i) for i in range(match[0], match[0] + match[1])]
            boxes.append(
                (min(c[0] for c in chars), min(c[1] for c in chars), max(c[2] for c in chars), max(c[3] for c in chars))
            )
        if not boxes:
            continue
        buffer = io.BytesIO()
        overlay = Overlay(buffer, pagesize=letter, invariant=1)
        overlay.setFillColorRGB(1, 1, 1)
        for left, bottom, right, top in boxes:
            overlay.rect(left - 1, bottom - 1, right - left + 2, top - bottom + 2, stroke=0, fill=1)
        overlay.showPage()
        overlay.save()
        cover = pypdfium2.PdfDocument(buffer.getvalue())
        page.insert_obj(cover.page_as_xobject(0, pdf).as_pageobject())
        page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def cross_checking(tmp_path, monkeypatch):
    """The default rule set with `cross_check_key_fields: true`."""
    from importlib.resources import files

    text = files("domain").joinpath("defaults/ruleset.yaml").read_text("utf-8")
    assert "cross_check_key_fields: false" in text
    path = tmp_path / "ruleset.yaml"
    path.write_text(text.replace("cross_check_key_fields: false", "cross_check_key_fields: true"))
    monkeypatch.setenv("CLAIM_INTAKE_RULESET_FILE", str(path))
    return path


def test_a_key_field_the_page_does_not_show_is_pkg009_and_judged_by_ocr(home, tmp_path, cross_checking):
    decision = decide(csf_folio(tmp_path, "DF-2026-009903", covered_csf()))
    findings = csf_findings(decision)
    assert findings["PKG-009"].outcome == "warn"
    assert findings["PKG-009"].evidence["causes"] == ["ocr_disagrees"]
    assert "rfc" in findings["PKG-009"].evidence["fields"]
    # read from its pixels, the certificate shows no RFC at all: not the holder's certificate
    assert decision.route.value == "pending_documents", decision.codes()
    assert {"CSF-004", "CSF-005"} & set(findings)


def test_cross_check_agrees_with_an_ordinary_csf(home, tmp_path, cross_checking):
    ordinary = build_csf(
        rfc=g.HOLDER.rfc, name=g.HOLDER.name, issued_on=date(2026, 11, 5), postal_code=g.HOLDER.postal_code
    )
    decision = decide(csf_folio(tmp_path, "DF-2026-009904", ordinary))
    assert decision.route.value == "adjudication" and "PKG-009" not in decision.codes()


def test_the_cli_answer_carries_pkg009_and_csf004(tmp_path, prefect_harness):
    """The contract itself: `claim-intake process DIR --json` on the invisible-layer forgery."""
    from cli_runner import cli
    from prefect.settings import PREFECT_API_URL

    folder = csf_folio(tmp_path, "DF-2026-009906", forged_csf("invisible"))
    result = cli(
        "process",
        str(folder),
        "--as-of",
        AS_OF.isoformat(),
        "--json",
        home=tmp_path / "home",
        api_url=PREFECT_API_URL.value(),
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["route"] == "pending_documents"
    (doc,) = answer["documents"]
    outcomes = {f["code"]: f["outcome"] for f in doc["findings"]}
    assert outcomes["PKG-009"] == "warn" and outcomes["CSF-004"] == "reject"
    assert g.HOLDER.rfc not in result.stdout  # the hidden layer's RFC is not echoed anywhere
