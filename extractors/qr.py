"""QR codes read from the page image with zxing-cpp (maintained, fast, rotation-tolerant).

The CSF's QR carries SAT's validation URL with `D3={idCIF}_{RFC}`: an exact machine reading of
the two facts OCR reads worst, and what the online check (CSF-007/008) needs. Digital PDFs draw
it as vector squares, scans as pixels; either way the first page is rendered and searched."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pypdfium2
import zxingcpp
from PIL import Image

from . import sniff
from .ocr import prepare

QR_DPI = 150  # a CSF QR (about 4 cm) has ~8 px modules at this resolution: enough, and fast
_D3 = re.compile(r"^(?P<id_cif>\d{6,15})_(?P<rfc>[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3})$")


@dataclass(frozen=True)
class CsfQr:
    url: str
    id_cif: str
    rfc: str


def decode_qr_texts(data: bytes, media_type: str, pages: int = 1) -> list[str]:
    """The texts of every QR code on the first `pages` pages of a PDF or on an image; [] when
    there is none or the bytes cannot be rendered (that is the loader's finding to give)."""
    images = []
    try:
        if media_type == sniff.PDF:
            pdf = pypdfium2.PdfDocument(data)
            try:
                for index in range(min(pages, len(pdf))):
                    page = pdf[index]
                    images.append(page.render(scale=QR_DPI / 72, grayscale=True).to_pil())
                    page.close()
            finally:
                pdf.close()
        elif media_type in (sniff.JPEG, sniff.PNG):
            with Image.open(io.BytesIO(data)) as image:
                images.append(prepare(image))
    except (pypdfium2.PdfiumError, OSError, ValueError, Image.DecompressionBombError):
        return []
    texts = []
    for image in images:
        texts += [
            r.text
            for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
        ]
    return texts


def parse_csf_qr(text: str) -> CsfQr | None:
    """idCIF and RFC from SAT's validation URL (`...validadorqr.jsf?D1=10&D2=1&D3=idCIF_RFC`)."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    if "sat.gob.mx" not in parts.netloc.lower():
        return None
    d3 = parse_qs(parts.query).get("D3", [""])[0].upper()
    m = _D3.match(d3)
    return CsfQr(text.strip(), m["id_cif"], m["rfc"]) if m else None


def csf_qr(data: bytes, media_type: str) -> CsfQr | None:
    for text in decode_qr_texts(data, media_type):
        if parsed := parse_csf_qr(text):
            return parsed
    return None
