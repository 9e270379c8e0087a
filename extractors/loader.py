"""Open one file's bytes once and read its text: pypdfium2 for PDFs with a text layer (45-90x
faster than pdfplumber's plain text), tesseract for images and for PDFs whose pages carry too
little text. Whatever cannot be opened becomes UnreadableDocument with the reason."""

from __future__ import annotations

import io
import warnings

import pypdfium2
from PIL import Image, UnidentifiedImageError

from domain.extractions import HiddenText, TextInfo
from domain.kinds import DocumentKind

from . import sniff
from .classify import classify_text
from .content import DocumentContent, UnreadableDocument
from .ocr import MAX_OCR_PIXELS, ocr_image, ocr_images
from .visible_text import HiddenRun, hidden_text

MAX_TEXT_PAGES = 20  # the facts of every kind we read are on the first pages
MAX_OCR_PAGES = 4
OCR_DPI = 200
# Kinds whose facts are all on the first page: their later pages are not OCR'd.
FIRST_PAGE_KINDS = frozenset({DocumentKind.BANK_STATEMENT})


def read_content(
    name: str, data: bytes, media_type: str | None = None, *, ocr: bool = True, min_text_chars: int = 40
) -> DocumentContent:
    media_type = media_type or sniff.sniff_media_type(data)
    if not data:
        raise UnreadableDocument("el archivo está vacío (0 bytes)")
    if media_type == sniff.PDF:
        return _read_pdf(name, data, ocr=ocr, min_text_chars=min_text_chars)
    if media_type in (sniff.JPEG, sniff.PNG):
        return _read_image(name, data, media_type, ocr=ocr)
    return DocumentContent(name=name, data=data, media_type=media_type)


def _read_pdf(name: str, data: bytes, *, ocr: bool, min_text_chars: int) -> DocumentContent:
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableDocument("el PDF está protegido con contraseña") from None
        raise UnreadableDocument(f"el PDF está dañado o incompleto ({exc})") from None
    try:
        page_count = len(pdf)
        if page_count == 0:
            raise UnreadableDocument("el PDF no tiene páginas")
        pages, hidden = [], []
        for index in range(min(page_count, MAX_TEXT_PAGES)):
            try:
                page = pdf[index]
            except pypdfium2.PdfiumError:  # e.g. a page tree that points back at itself
                raise UnreadableDocument(f"el PDF está dañado: la página {index + 1} no se puede abrir") from None
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            hidden += hidden_text(page, textpage, index + 1)
            textpage.close()
            page.close()
        if hidden:
            return _read_shown_pages(name, data, pdf, pages, hidden, page_count, ocr=ocr)
        chars = sum(len(p.strip()) for p in pages)
        if chars >= min_text_chars or not ocr:
            info = TextInfo(pages=page_count, chars=chars)
            return DocumentContent(name, data, sniff.PDF, tuple(pages), info)
        return _prefer_digital_text(_ocr_pdf(name, data, pdf, page_count), pages, chars)
    finally:
        pdf.close()


def read_pdf_by_ocr(name: str, data: bytes, hidden: list[HiddenText]) -> DocumentContent:
    """The PDF read from its rendered pages only, as a scan would be, for a document whose text
    layer was caught disagreeing with its pages (`hidden` says where: PKG-009)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        content = _ocr_pdf(name, data, pdf, len(pdf))
    finally:
        pdf.close()
    info = content.text_info.model_copy(update={"hidden_text": list(hidden)})
    return DocumentContent(content.name, content.data, content.media_type, content.pages, info)


def _prefer_digital_text(ocr: DocumentContent, pages: list[str], chars: int) -> DocumentContent:
    """A short but real text layer (a crop of a certificate: its idCIF and RFC) is legible
    digital text, never PKG-008: when OCR finds nothing beyond it (a page of pixels would give
    much more), the text layer is the document's text."""
    if chars and ocr.text_info.chars <= 2 * chars + 20:
        return DocumentContent(
            ocr.name, ocr.data, sniff.PDF, tuple(pages), TextInfo(pages=ocr.text_info.pages, chars=chars)
        )
    return ocr


def _ocr_pdf(name: str, data: bytes, pdf: pypdfium2.PdfDocument, page_count: int) -> DocumentContent:
    """Only the pages needed are read. The first page goes alone: if it is a bank statement's,
    it holds the holder, CLABE and period, and the movement pages are never OCR'd. Otherwise the
    next pages up to MAX_OCR_PAGES (a CSF's regimes are on page two) are OCR'd in parallel.
    Pages are rendered one at a time in this thread (pdfium is not thread-safe)."""
    first = ocr_image(_render(pdf, 0))
    results = [first]
    wanted = min(page_count, MAX_OCR_PAGES)
    if wanted > 1 and classify_text(first.text).kind not in FIRST_PAGE_KINDS:
        results += ocr_images([_render(pdf, index) for index in range(1, wanted)], hint=first.rotated)
    return _ocr_content(name, data, sniff.PDF, results, page_count)


def _read_shown_pages(
    name: str,
    data: bytes,
    pdf: pypdfium2.PdfDocument,
    pages: list[str],
    hidden: list[HiddenRun],
    page_count: int,
    *,
    ocr: bool,
) -> DocumentContent:
    """A page whose text layer hides text is read from its pixels, never from that layer: the
    hidden text is what a forger wants believed (PKG-009). Pages beyond MAX_OCR_PAGES keep no
    text at all rather than the hidden one. The other pages keep their text layer."""
    suspect = sorted({run.page - 1 for run in hidden})
    texts = list(pages)
    for index in suspect:
        texts[index] = ""
    to_ocr = [index for index in suspect if index < MAX_OCR_PAGES] if ocr else []
    results = ocr_images([_render(pdf, index) for index in to_ocr]) if to_ocr else []
    for index, result in zip(to_ocr, results, strict=True):
        texts[index] = result.text
    facts = [HiddenText(page=run.page, cause=run.cause, chars=run.chars) for run in hidden]
    return with_ocr_pages(
        DocumentContent(name, data, sniff.PDF, tuple(texts), TextInfo(pages=page_count)), results, facts
    )


def with_ocr_pages(content: DocumentContent, results, hidden: list[HiddenText]) -> DocumentContent:
    """`content` with its TextInfo saying which text came from OCR (legibility, PKG-008, is then
    judged on those pages' words) and what was hidden (PKG-009)."""
    words = sum(r.words for r in results)
    mean = sum(sum(r.confidences) for r in results) / words if words else 0.0
    info = TextInfo(
        pages=content.text_info.pages,
        chars=sum(len(p.strip()) for p in content.pages),
        ocr=bool(results),
        ocr_mean_confidence=round(mean, 1) if results else None,
        ocr_words=words if results else None,
        hidden_text=hidden,
    )
    return DocumentContent(content.name, content.data, content.media_type, content.pages, info)


def _render(pdf: pypdfium2.PdfDocument, index: int) -> Image.Image:
    """The page as a grayscale image of at most MAX_OCR_PIXELS: a page declared 200 × 200 inches
    must not become a 1.6 GB bitmap before anything downscales it."""
    page = pdf[index]
    try:
        scale = _scan_scale(page)
        width_pt, height_pt = page.get_size()
        if width_pt * height_pt * scale * scale > MAX_OCR_PIXELS:
            scale = (MAX_OCR_PIXELS / max(width_pt * height_pt, 1.0)) ** 0.5
        return page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        page.close()


def _scan_scale(page: pypdfium2.PdfPage) -> float:
    """A scanned page is one image: render it at that image's own resolution (capped at
    OCR_DPI), since upsampling a 150 dpi scan to 200 dpi costs tesseract time and adds nothing."""
    default = OCR_DPI / 72
    try:
        images = [obj for obj in page.get_objects(max_depth=1) if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
        if len(images) != 1:
            return default
        px_width, _ = images[0].get_px_size()
        left, _, right, _ = images[0].get_pos()
        width_pt = right - left
        if width_pt <= 0 or px_width <= 0:
            return default
        return max(100 / 72, min(default, px_width / width_pt))
    except (pypdfium2.PdfiumError, AttributeError, ValueError):
        return default


def _read_image(name: str, data: bytes, media_type: str, *, ocr: bool) -> DocumentContent:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data))
            oversized = image.width * image.height > MAX_OCR_PIXELS
            if image.format == "JPEG" and oversized:
                # Decode a huge photo at 1/2, 1/4 or 1/8 scale directly: less memory, less time.
                scale = (MAX_OCR_PIXELS / (image.width * image.height)) ** 0.5
                image.draft("L", (int(image.width * scale), int(image.height * scale)))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableDocument("la imagen declara dimensiones excesivas") from None
    except UnidentifiedImageError:  # Pillow's message is the BytesIO's repr, nothing a claimant can use
        raise UnreadableDocument("la imagen está dañada o incompleta (no se reconoce su contenido)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableDocument(f"la imagen está dañada o incompleta ({exc})") from None
    if not ocr:
        return DocumentContent(name, data, media_type, (), TextInfo(pages=1, ocr=True))
    upright = image.getexif().get(0x0112, 1) == 1  # EXIF Orientation
    as_is = media_type == sniff.JPEG and upright and not oversized
    with image:
        result = ocr_image(image, encoded=data if as_is else None)
    return _ocr_content(name, data, media_type, [result], 1)


def _ocr_content(name, data, media_type, results, page_count) -> DocumentContent:
    words = sum(r.words for r in results)
    # Word-weighted over pages: a near-empty back page does not drag a legible front page down.
    mean = sum(sum(r.confidences) for r in results) / words if words else 0.0
    pages = tuple(r.text for r in results)
    info = TextInfo(
        pages=page_count,
        chars=sum(len(p.strip()) for p in pages),
        ocr=True,
        ocr_mean_confidence=round(mean, 1),
        ocr_words=words,
    )
    return DocumentContent(name, data, media_type, pages, info)
