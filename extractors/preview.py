"""A page of a stored original as a small PNG, for the console's folio page (issue 16).

The same renderers the readers use (pypdfium2 for PDF pages, Pillow for photos and scans), with
the same guards: a page is rendered at a scale that fits `max_side` pixels before any bitmap is
allocated (a page declared 200 × 200 inches never becomes a gigabyte), and an image that declares
more pixels than Pillow's bomb limit is refused before it is decoded. Hostile bytes can still spin
or crash the C code underneath, so the console calls this through the reader sandbox
(`extractors.sandbox.preview`), never in its own process."""

from __future__ import annotations

import io
import warnings

import pypdfium2
from PIL import Image, ImageOps, UnidentifiedImageError

from domain.errors import DocumentError

from . import sniff
from .ocr import MAX_OCR_PIXELS

MAX_SIDE = 1200  # pixels of the longer side: legible on a screen, ~100-300 KB as PNG


class NoPreview(DocumentError):
    """The page cannot be drawn: not a PDF or an image, no such page, or damaged bytes."""


def page_count(data: bytes, media_type: str) -> int:
    """How many pages a preview can show: a PDF's pages, an image's frames (a TIFF scan may
    hold several); 0 for what has no pages to draw (XML, unknown bytes)."""
    if media_type == sniff.PDF:
        pdf = _open_pdf(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    if media_type.startswith("image/"):
        with _open_image(data) as image:
            return int(getattr(image, "n_frames", 1))
    return 0


def render_page(data: bytes, media_type: str, page: int, max_side: int = MAX_SIDE) -> bytes:
    """Page `page` (0-based) as PNG bytes, its longer side at most `max_side` pixels."""
    if media_type == sniff.PDF:
        image = _pdf_page(data, page, max_side)
    elif media_type.startswith("image/"):
        image = _image_frame(data, page, max_side)
    else:
        raise NoPreview(f"no preview for {media_type}")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _open_pdf(data: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise NoPreview(f"damaged PDF ({exc})") from None


def _pdf_page(data: bytes, index: int, max_side: int) -> Image.Image:
    pdf = _open_pdf(data)
    try:
        if not 0 <= index < len(pdf):
            raise NoPreview(f"no page {index + 1}")
        page = pdf[index]
        try:
            width, height = page.get_size()
            scale = min(max_side / max(width, height, 1.0), 3.0)
            if width * height * scale * scale > MAX_OCR_PIXELS:  # a degenerate page box
                raise NoPreview("the page declares excessive dimensions")
            return page.render(scale=scale).to_pil().convert("RGB")
        except pypdfium2.PdfiumError as exc:
            raise NoPreview(f"the page cannot be drawn ({exc})") from None
        finally:
            page.close()
    finally:
        pdf.close()


def _open_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NoPreview("the image declares excessive dimensions") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise NoPreview(f"damaged image ({type(exc).__name__})") from None


def _image_frame(data: bytes, index: int, max_side: int) -> Image.Image:
    image = _open_image(data)
    try:
        if not 0 <= index < int(getattr(image, "n_frames", 1)):
            raise NoPreview(f"no page {index + 1}")
        image.seek(index)
        if image.format == "JPEG":  # decode a large photo at 1/2 … 1/8 scale directly
            image.draft("RGB", (max_side, max_side))
        image.load()
        shown = ImageOps.exif_transpose(image) or image  # as the claimant's camera held it
        shown.thumbnail((max_side, max_side))
        return shown.convert("RGB")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NoPreview(f"damaged image ({type(exc).__name__})") from None
