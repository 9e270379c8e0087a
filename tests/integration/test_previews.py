"""Page previews for the console drawn in the reader sandbox (extractors.preview through
extractors.sandbox.preview): a real page becomes a small PNG; every file of the hostile corpus
gives a PNG or nothing within the preview's time budget, and the pool still draws afterwards."""

from __future__ import annotations

import io
import random
import time
from pathlib import Path

import hostile_corpus as hc
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from extractors import preview, sandbox, sniff_media_type

ROOT = Path(__file__).resolve().parents[2]
CSF = ROOT / "samples" / "folios" / "DF-2026-000302" / "constancia.pdf"
BUDGET = sandbox.Budget(seconds=sandbox.PREVIEW_SECONDS, memory_mb=1024)


def _png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


def test_a_pdf_page_is_drawn_small_and_counted():
    drawn = sandbox.preview(CSF.read_bytes(), "application/pdf", 0, BUDGET)
    assert drawn is not None
    png, pages = drawn
    assert pages >= 1
    assert max(_png_size(png)) <= preview.MAX_SIDE
    assert sandbox.preview(CSF.read_bytes(), "application/pdf", pages, BUDGET) is None  # past the last page


def test_a_photo_is_drawn_within_the_cap_and_upright():
    photo = Image.new("RGB", (4000, 3000), "white")
    out = io.BytesIO()
    photo.save(out, format="JPEG")
    png, pages = sandbox.preview(out.getvalue(), "image/jpeg", 0, BUDGET) or (b"", 0)
    assert pages == 1 and _png_size(png) == (preview.MAX_SIDE, 900)


def _slow_pdf() -> bytes:
    """A page of 50,000 random lines: ~2 s to draw on this machine, far over a 0.3 s budget (a
    1 ms budget on an ordinary page raced the pool's timeout check and sometimes drew it)."""
    rng = random.Random(1)
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for _ in range(50_000):
        page.line(rng.random() * 600, rng.random() * 800, rng.random() * 600, rng.random() * 800)
    page.save()
    return out.getvalue()


def test_a_preview_over_its_time_budget_gives_nothing_and_the_pool_draws_again():
    started = time.monotonic()
    assert sandbox.preview(_slow_pdf(), "application/pdf", 0, sandbox.Budget(seconds=0.3)) is None
    assert time.monotonic() - started < 5
    assert sandbox.preview(CSF.read_bytes(), "application/pdf", 0, BUDGET) is not None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    cases = [c for c in hc.generate(root) if not c.manifest and not c.big]
    return [(c, (root / c.id / c.filename).read_bytes()) for c in cases]


def test_every_hostile_file_gives_a_png_or_nothing_in_time(corpus):
    slowest = 0.0
    for case, data in corpus:
        media_type = sniff_media_type(data)
        started = time.monotonic()
        drawn = sandbox.preview(data, media_type, 0, BUDGET)
        slowest = max(slowest, time.monotonic() - started)
        if drawn is not None and drawn[0]:
            assert max(_png_size(drawn[0])) <= preview.MAX_SIDE, case.id
    assert slowest < sandbox.PREVIEW_SECONDS + 3  # a hung renderer is abandoned, never waited for
    assert sandbox.preview(CSF.read_bytes(), "application/pdf", 0, BUDGET) is not None  # the pool survived
