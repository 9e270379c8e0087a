"""OCR for photos, scans and PDF pages without a text layer: tesseract in Spanish, keeping the
per-word confidences that legibility (PKG-008) is judged on.

Tesseract is called directly, not through pytesseract: pytesseract re-encodes a PIL image into a
temporary file (0.4-1 s a page here), while a raw grayscale PGM costs a memory copy (an uploaded
JPEG that needs no change is piped as it is), and the TSV it prints is what `image_to_data` would have parsed anyway. One
tesseract process per page with OMP_THREAD_LIMIT=1: its OpenMP threads cost ~3x the CPU for the
same text, so pages run in parallel instead (bounded by the CPUs). A page turned on its side
reads as low-confidence noise; only then is tesseract's orientation detection (OSD, --psm 0)
asked and the page turned and read again, so an upright page costs one tesseract run. Small
skews (a few degrees) are corrected by tesseract's own layout analysis."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from domain.errors import DocumentError
from processes.children import popen_tie

# Tesseract's OpenMP threads cost ~3x the CPU for the same text; parallelism is by page instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

MAX_OCR_PIXELS = 12_000_000  # larger images are downscaled first: more pixels do not read better
TESSERACT = os.environ.get("CLAIM_INTAKE_TESSERACT", "tesseract")
PSM = "6"  # one uniform block: measured faster and better than the default on these pages
ORIENTATION_RETRY_BELOW = 70.0  # mean confidence under which the page may be turned
MIN_WORDS_UPRIGHT = 25
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ORIENTATION_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


class OcrError(DocumentError, RuntimeError):
    """Tesseract could not be run at all (not installed): a fault of the installation, not of
    the document."""


class TesseractFailed(OcrError):
    """Tesseract ran and gave up on this image (too little text, unusable pixels): the page has
    no recoverable text, which legibility (PKG-008) reports."""


@dataclass(frozen=True)
class OcrPage:
    text: str
    mean_confidence: float  # 0-100 over recognised words; 0 when there are none
    words: int
    confidences: tuple[float, ...] = field(default=(), repr=False)  # one per word, reading order
    rotated: int = 0  # degrees the page was turned (counter-clockwise) before it read well
    timed_out: bool = False


def prepare(image: Image.Image) -> Image.Image:
    """Upright by EXIF, grayscale, and at most MAX_OCR_PIXELS (Pillow's decompression-bomb limit
    is left on: an image declaring absurd dimensions never gets here)."""
    gray = ImageOps.exif_transpose(image).convert("L")
    if gray.width * gray.height > MAX_OCR_PIXELS:
        scale = (MAX_OCR_PIXELS / (gray.width * gray.height)) ** 0.5
        gray = gray.resize(
            (max(1, int(gray.width * scale)), max(1, int(gray.height * scale))), Image.Resampling.BILINEAR
        )
    return gray


def ocr_image(
    image: Image.Image,
    lang: str = "spa",
    timeout_s: float = 60,
    *,
    orient: bool = True,
    hint: int = 0,
    encoded: bytes | None = None,
) -> OcrPage:
    """Read one page image. Turned pages are detected and read again upright when `orient`.
    `hint` is the turn an earlier page of the same document needed: scanners feed every page
    the same way, so it is tried first. `encoded` is the uploaded JPEG itself when tesseract can
    read it as it is (upright by EXIF, not oversized): piping those bytes is cheaper than the
    decoded pixels."""
    gray = prepare(image)
    if hint:
        hinted = _tesseract_tsv(gray.rotate(hint, expand=True), lang, timeout_s)
        if _reads_well(hinted):
            return OcrPage(hinted.text, hinted.mean_confidence, hinted.words, hinted.confidences, hint)
    if orient and gray.width > gray.height * 1.15:
        # Documents are portrait: a landscape page was most likely turned. Ask OSD first and
        # skip reading it sideways (slow, and garbage).
        angle = detect_rotation(gray, timeout_s)
        if angle in (90, 270):
            turned = _tesseract_tsv(gray.rotate(angle, expand=True), lang, timeout_s)
            if _reads_well(turned):
                return OcrPage(turned.text, turned.mean_confidence, turned.words, turned.confidences, angle)
    page = _tesseract_tsv(encoded if encoded and not hint else gray, lang, timeout_s)
    if not orient or page.timed_out or _reads_well(page):
        return page
    # OSD misses upside-down pages when they are blurred; that is the one turn worth guessing.
    angle = detect_rotation(gray, timeout_s) or 180
    turned = _tesseract_tsv(gray.rotate(angle, expand=True), lang, timeout_s)
    if turned.mean_confidence > page.mean_confidence:  # garbage words are many, never confident
        return OcrPage(turned.text, turned.mean_confidence, turned.words, turned.confidences, angle)
    return page


def ocr_images(
    images: list[Image.Image], lang: str = "spa", workers: int | None = None, hint: int = 0
) -> list[OcrPage]:
    """Several pages in parallel, one tesseract process each, at most `workers` (default: the
    CPUs this process may use) at a time. Threads suffice: the work is in the subprocess."""
    workers = max(1, min(workers or cpu_budget(), len(images) or 1))
    if workers == 1 or len(images) <= 1:
        return [ocr_image(image, lang, hint=hint) for image in images]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        return list(pool.map(lambda image: ocr_image(image, lang, hint=hint), images))


def cpu_budget() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def detect_rotation(gray: Image.Image, timeout_s: float = 30) -> int:
    """Degrees to turn the page counter-clockwise (PIL's rotate) so it stands upright, from
    tesseract's OSD; 0 when OSD is unsure or finds too little text."""
    try:
        out = _run([TESSERACT, "stdin", "stdout", "--psm", "0", "-l", "osd"], _pgm(gray), timeout_s)
    except (subprocess.TimeoutExpired, TesseractFailed):  # OSD exits 1 on pages with too little text
        return 0
    rotate, conf = _ROTATE.search(out), _ORIENTATION_CONF.search(out)
    if not rotate or not conf or float(conf[1]) < 1.0:
        return 0
    # OSD's "Rotate" is clockwise degrees; PIL rotates counter-clockwise.
    return (360 - int(rotate[1])) % 360


def parse_tsv(tsv: str) -> OcrPage:
    """Tesseract's TSV (level, page, block, par, line, word, geometry, conf, text) to lines of
    words and their confidences; entries with conf -1 are layout, not words."""
    lines: list[str] = []
    current: list[str] = []
    confs: list[float] = []
    last = None
    reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(reader, None)
    for row in reader:
        if len(row) < 12:
            continue
        word = row[11].strip()
        try:
            conf = float(row[10])
        except ValueError:
            continue
        if not word or conf < 0:
            continue
        key = (row[1], row[2], row[3], row[4])
        if key != last and current:
            lines.append(" ".join(current))
            current = []
        last = key
        current.append(word)
        confs.append(round(conf, 1))
    if current:
        lines.append(" ".join(current))
    mean = sum(confs) / len(confs) if confs else 0.0
    return OcrPage("\n".join(lines), round(mean, 1), len(confs), tuple(confs))


def _reads_well(page: OcrPage) -> bool:
    return page.mean_confidence >= ORIENTATION_RETRY_BELOW and page.words >= MIN_WORDS_UPRIGHT


def _tesseract_tsv(image: Image.Image | bytes, lang: str, timeout_s: float) -> OcrPage:
    """Pixels go to tesseract as a PGM file on the temp directory (measured ~8 % less tesseract
    CPU than the same PGM on stdin, which it reads slowly); encoded bytes (a JPEG) go on stdin."""
    try:
        if isinstance(image, bytes):
            tsv = _run([TESSERACT, "stdin", "stdout", "-l", lang, "--psm", PSM, "tsv"], image, timeout_s)
        else:
            with tempfile.NamedTemporaryFile(suffix=".pgm") as handle:
                handle.write(_pgm(image))
                handle.flush()
                tsv = _run([TESSERACT, handle.name, "stdout", "-l", lang, "--psm", PSM, "tsv"], b"", timeout_s)
    except subprocess.TimeoutExpired:
        return OcrPage("", 0.0, 0, timed_out=True)
    except TesseractFailed:
        return OcrPage("", 0.0, 0)
    return parse_tsv(tsv)


def _pgm(gray: Image.Image) -> bytes:
    """Binary PGM: a header and the raw pixels, no compression to pay for."""
    return b"P5 %d %d 255\n" % gray.size + gray.tobytes()


def _run(args: list[str], stdin: bytes, timeout_s: float) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:  # tied to this thread, which waits for it: a killed reader leaves no tesseract behind
        done = subprocess.run(
            args, input=stdin, capture_output=True, timeout=timeout_s, env=env, check=False, **popen_tie()
        )
    except FileNotFoundError:
        raise OcrError(f"tesseract not found ({TESSERACT}); install tesseract-ocr and tesseract-ocr-spa") from None
    if done.returncode != 0:
        raise TesseractFailed(f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace')[-300:]}")
    return done.stdout.decode("utf-8", errors="replace")
