"""Scanned and photographed versions of sample documents: the page rendered to pixels, then
degraded the way phones and office scanners degrade it (a few degrees of skew or a page turned on
its side, blur, sensor noise, JPEG compression). Deterministic: the same arguments give the same
bytes, so labelled sets and tests are reproducible."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import pypdfium2
from PIL import Image, ImageChops, ImageFilter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas


@dataclass(frozen=True)
class Degradation:
    """How badly a page was scanned. `rotate` is the quarter-turn the page was fed with (0, 90,
    180, 270), `skew` a small tilt in degrees, `blur` a Gaussian radius in pixels, `noise` the
    amplitude of uniform noise (0-255), `quality` the JPEG quality."""

    dpi: int = 150
    rotate: int = 0
    skew: float = 0.0
    blur: float = 0.0
    noise: int = 0
    quality: int = 75
    seed: int = 0


def render_pages(pdf_bytes: bytes, dpi: int, max_pages: int | None = None) -> list[Image.Image]:
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    try:
        count = len(pdf) if max_pages is None else min(len(pdf), max_pages)
        images = []
        for index in range(count):
            page = pdf[index]
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return images
    finally:
        pdf.close()


def degrade(image: Image.Image, how: Degradation) -> Image.Image:
    out = image.convert("L")
    if how.skew:
        out = out.rotate(how.skew, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if how.blur:
        out = out.filter(ImageFilter.GaussianBlur(how.blur))
    if how.noise:
        rng = random.Random(how.seed)
        noise = Image.frombytes("L", out.size, rng.randbytes(out.width * out.height))
        # Centre the noise on zero: add (noise - 128) * noise/128 with clipping.
        scaled = noise.point(lambda v: int((v - 128) * how.noise / 128) + 128)
        out = ImageChops.add(out, scaled, scale=1.0, offset=-128)
    if how.rotate:
        out = out.rotate(how.rotate, expand=True)
    return out


def to_jpeg(image: Image.Image, quality: int = 75) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=False)
    return buffer.getvalue()


def scanned_jpeg(pdf_bytes: bytes, how: Degradation = Degradation()) -> bytes:
    """The first page as a phone photo / scan in a JPEG file."""
    return to_jpeg(degrade(render_pages(pdf_bytes, how.dpi, 1)[0], how), how.quality)


def scanned_pdf(pdf_bytes: bytes, how: Degradation = Degradation(), max_pages: int | None = None) -> bytes:
    """Every page scanned and put back into a PDF without a text layer, as scanners do."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for index, page in enumerate(render_pages(pdf_bytes, how.dpi, max_pages)):
        degraded = degrade(page, Degradation(**{**how.__dict__, "seed": how.seed + index}))
        jpeg = to_jpeg(degraded, how.quality)
        width, height = degraded.width * 72 / how.dpi, degraded.height * 72 / how.dpi
        canvas.setPageSize((width, height))
        canvas.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width, height)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
