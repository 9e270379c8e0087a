"""Cross-check of key fields (PKG-009): what the text layer says against what the page shows.

Hidden-text detection (extractors.visible_text) sees the tricks a page's objects give away. It
cannot see a font whose glyphs draw other characters than its text layer maps them to, or text
covered by a white box: there the text layer is "visible" but the pixels say something else.
For the fields a decision rests on (RFC, CLABE, UUID, dates, totals) of digital CSFs, bank
statements and invoice PDFs, each place the value is printed is found in the text layer, only
those small regions are rendered at OCR resolution, stacked into one strip and read by one
tesseract run; a region whose OCR does not contain the value is a disagreement, and the
document is then read by OCR (the loader) and judged on that.

Cost: one tesseract process per document (~100-150 ms of CPU, almost all of it tesseract
loading its Spanish model), which is more than reading a whole digital folio, so the rule set
switches it on (`thresholds.cross_check_key_fields`), off by default; see docs/ocr.md."""

from __future__ import annotations

import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pypdfium2
from PIL import Image

from domain.extractions import HiddenText
from domain.kinds import DocumentKind

from . import ocr

# The fields checked per kind: what the decision reads from each document.
KEY_FIELDS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.TAX_STATUS_CERTIFICATE: ("rfc", "issued_on"),
    DocumentKind.BANK_STATEMENT: ("clabe", "period_start", "period_end"),
    DocumentKind.INVOICE_PDF: ("uuid", "issuer_rfc", "receiver_rfc", "total"),
}
MAX_PAGES = 4  # the loader's MAX_OCR_PAGES: the key fields are on the first pages
MAX_REGIONS = 12  # an RFC printed on every page of a long statement does not need 40 crops
DPI = 300  # small print (7 pt) needs it; the regions are a few hundred pixels each
PAD_PT = 2.0
GAP_PX = 40  # white between stacked regions, so tesseract keeps them on separate lines
MONTHS = (
    "ENERO",
    "FEBRERO",
    "MARZO",
    "ABRIL",
    "MAYO",
    "JUNIO",
    "JULIO",
    "AGOSTO",
    "SEPTIEMBRE",
    "OCTUBRE",
    "NOVIEMBRE",
    "DICIEMBRE",
)
# Characters OCR confuses in these fonts: both sides are mapped before comparing, so a misread
# O/0 is not a disagreement (a forger changing an RFC changes more than that).
_CONFUSABLE = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"})


@dataclass(frozen=True)
class _Region:
    field: str
    page: int  # 0-based
    box: tuple[float, float, float, float]  # left, bottom, right, top in points
    value: str  # compact form of what the text layer says is printed there


def cross_check(data: bytes, kind: DocumentKind, extraction, timeout_s: float = 30) -> list[HiddenText]:
    """The key fields whose printed region does not read as the text layer says; [] when they
    all agree, or none could be located (nothing to compare is not a disagreement)."""
    wanted = [(name, _forms(getattr(extraction, name, None))) for name in KEY_FIELDS.get(kind, ())]
    wanted = [(name, forms) for name, forms in wanted if forms]
    if not wanted:
        return []
    pdf = pypdfium2.PdfDocument(data)
    try:
        regions = _locate(pdf, wanted)
        if not regions:
            return []
        images = [_render(pdf, region) for region in regions]
    finally:
        pdf.close()
    read = _read_stacked(images, timeout_s)
    if read is None:  # tesseract could not read the strip at all: every region disagrees
        read = [""] * len(regions)
    found: dict[tuple[str, int], HiddenText] = {}
    for region, text in zip(regions, read, strict=True):
        if not _agrees(region.value, text):
            found.setdefault(
                (region.field, region.page), HiddenText(page=region.page + 1, cause="ocr_disagrees", field=region.field)
            )
    return list(found.values())


def _forms(value) -> tuple[str, ...]:
    """Compact forms (upper-case letters and digits only) in which the value may be printed."""
    if value is None or value == "":
        return ()
    if isinstance(value, Decimal):
        return (_compact(f"{value:,.2f}"),)
    if isinstance(value, date):
        month = MONTHS[value.month - 1]
        return tuple(
            dict.fromkeys(
                _compact(form)
                for form in (
                    f"{value.day:02d}/{value.month:02d}/{value.year}",
                    f"{value.year}-{value.month:02d}-{value.day:02d}",
                    f"{value.day:02d} DE {month} DE {value.year}",
                    f"{value.day} DE {month} DE {value.year}",
                    f"{value.day:02d}/{month[:3]}/{value.year}",
                    f"{value.day:02d} {month[:3]} {value.year}",
                )
            )
        )
    return (_compact(str(value)),)


def _compact(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def _confusable(text: str) -> str:
    return text.translate(_CONFUSABLE)


def _agrees(value: str, ocr_text: str) -> bool:
    """The region's OCR contains the value, allowing one OCR slip (a character added, lost or
    misread) in values of 8 characters or more: tesseract reads "QH5" as "Q0H5" in small print.
    Another person's RFC, CLABE or UUID differs in far more than one character."""
    wanted, seen = _confusable(value), _confusable(_compact(ocr_text))
    return _substring_distance(wanted, seen) <= (1 if len(wanted) >= 8 else 0)


def _substring_distance(needle: str, haystack: str) -> int:
    """Fewest edits turning `needle` into some substring of `haystack` (Sellers' algorithm)."""
    previous = list(range(len(needle) + 1))
    best = previous[-1]
    for char in haystack:
        current = [0]
        for i, wanted in enumerate(needle, 1):
            current.append(min(previous[i] + 1, current[i - 1] + 1, previous[i - 1] + (wanted != char)))
        previous = current
        best = min(best, current[-1])
    return best


def _locate(pdf: pypdfium2.PdfDocument, wanted) -> list[_Region]:
    """Every place each value is printed on the first pages, as the union of its characters'
    boxes. The page text is compacted with a map back to character indices, so a CLABE printed
    in groups or a total with thousands separators is found like a plain one."""
    regions: list[_Region] = []
    for index in range(min(len(pdf), MAX_PAGES)):
        page = pdf[index]
        if page.get_rotation():  # crops are not reliable on a turned page: not cross-checked
            page.close()
            continue
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            compact, where = _compact_with_map(text)
            for name, forms in wanted:
                for form in forms:
                    start = compact.find(form)
                    while start >= 0 and len(regions) < MAX_REGIONS:
                        first, last = where[start], where[start + len(form) - 1]
                        if _whole(text, first, last):  # not "1,500.00" inside "11,500.00"
                            regions.append(_Region(name, index, _union(textpage, first, last), form))
                        start = compact.find(form, start + 1)
        finally:
            textpage.close()
            page.close()
    return regions


def _whole(text: str, first: int, last: int) -> bool:
    """The match is a whole token: no letter or digit right before or after it, nor a digit
    beyond a separator (a thousands comma, a decimal point)."""
    before = text[first - 1] if first > 0 else " "
    after = text[last + 1] if last + 1 < len(text) else " "
    beyond = text[last + 2] if last + 2 < len(text) else " "
    if before.isalnum() or after.isalnum():
        return False
    return not (after in ",." and beyond.isdigit())


def _compact_with_map(text: str) -> tuple[str, list[int]]:
    out, where = [], []
    for index, char in enumerate(text):
        for piece in _compact(char):
            out.append(piece)
            where.append(index)
    return "".join(out), where


def _union(textpage: pypdfium2.PdfTextPage, first: int, last: int) -> tuple[float, float, float, float]:
    boxes = [textpage.get_charbox(i) for i in range(first, last + 1)]
    boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]] or boxes
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _render(pdf: pypdfium2.PdfDocument, region: _Region) -> Image.Image:
    """Only the region, at DPI, grayscale: what a person sees where the value is printed."""
    page = pdf[region.page]
    try:
        x0, y0, x1, y1 = page.get_bbox()
        left, bottom, right, top = region.box
        crop = (
            max(0.0, left - PAD_PT - x0),
            max(0.0, bottom - PAD_PT - y0),
            max(0.0, x1 - right - PAD_PT),
            max(0.0, y1 - top - PAD_PT),
        )
        return page.render(scale=DPI / 72, crop=crop, grayscale=True).to_pil().convert("L")
    finally:
        page.close()


def _read_stacked(images: list[Image.Image], timeout_s: float) -> list[str] | None:
    """One tesseract run over the regions stacked top to bottom; each word goes back to the
    region its vertical centre falls in. None when tesseract gave up on the strip."""
    width = max(image.width for image in images) + 2 * GAP_PX
    height = sum(image.height for image in images) + GAP_PX * (len(images) + 1)
    strip = Image.new("L", (width, height), 255)
    spans, y = [], GAP_PX
    for image in images:
        strip.paste(image, (GAP_PX, y))
        spans.append((y - GAP_PX // 2, y + image.height + GAP_PX // 2))
        y += image.height + GAP_PX
    try:
        tsv = _tesseract_tsv(strip, timeout_s)
    except (ocr.TesseractFailed, TimeoutError):
        return None
    texts: list[list[str]] = [[] for _ in images]
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        middle = int(cells[7]) + int(cells[9]) / 2
        for number, (top, bottom) in enumerate(spans):
            if top <= middle < bottom:
                texts[number].append(cells[11])
                break
    return [" ".join(words) for words in texts]


def _tesseract_tsv(image: Image.Image, timeout_s: float) -> str:
    """Tesseract's raw TSV (word boxes are needed here, which ocr.parse_tsv drops)."""
    with tempfile.NamedTemporaryFile(suffix=".pgm") as handle:
        handle.write(b"P5 %d %d 255\n" % image.size + image.tobytes())
        handle.flush()
        try:
            return ocr._run(
                [ocr.TESSERACT, handle.name, "stdout", "-l", "spa", "--psm", ocr.PSM, "tsv"], b"", timeout_s
            )
        except subprocess.TimeoutExpired:
            raise TimeoutError from None
