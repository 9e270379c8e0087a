"""OCR for photos, scans and PDF pages without a text layer: tesseract in Spanish, keeping the
per-word confidences that legibility (PKG-008) is judged on."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from PIL import Image, ImageOps

# Tesseract's OpenMP threads cost ~3x the CPU for the same text; parallelism is by page instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

MAX_OCR_PIXELS = 12_000_000  # larger images are downscaled first: more pixels do not read better


@dataclass(frozen=True)
class OcrPage:
    text: str
    mean_confidence: float  # 0-100 over recognised words; 0 when there are none
    words: int


def ocr_image(image: Image.Image, lang: str = "spa", timeout_s: float = 60) -> OcrPage:
    import pytesseract

    gray = ImageOps.exif_transpose(image).convert("L")
    if gray.width * gray.height > MAX_OCR_PIXELS:
        scale = (MAX_OCR_PIXELS / (gray.width * gray.height)) ** 0.5
        gray = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))))
    data = pytesseract.image_to_data(
        gray, lang=lang, config="--psm 6", output_type=pytesseract.Output.DICT, timeout=timeout_s
    )
    words, confs, lines, current = [], [], [], []
    last_line = None
    for i, word in enumerate(data["text"]):
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != last_line and current:
            lines.append(" ".join(current))
            current = []
        last_line = key
        word = word.strip()
        conf = float(data["conf"][i])
        if word and conf >= 0:
            words.append(word)
            confs.append(conf)
            current.append(word)
    if current:
        lines.append(" ".join(current))
    mean = sum(confs) / len(confs) if confs else 0.0
    return OcrPage(text="\n".join(lines), mean_confidence=round(mean, 1), words=len(words))


def ocr_bytes(data: bytes, lang: str = "spa") -> OcrPage:
    with Image.open(io.BytesIO(data)) as image:
        return ocr_image(image, lang=lang)
