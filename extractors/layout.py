"""The page as a reader sees it: words grouped into lines by their position, left to right.

pypdfium2's text follows the content stream, which is what most generators draw in reading order;
some draw a column of labels and then a column of values, or values before labels, and then the
text layer never puts a label next to its value. pdfplumber knows every word's coordinates and
rebuilds the visual lines ("R.F.C.: TEGA920214LK0" when the two cells share a row), at ~40 ms a
page, so extractors ask for it only when the text layer left a required field unread, and only for
the first pages (where certificates and statements print their facts)."""

from __future__ import annotations

import io
import logging

import pdfplumber

log = logging.getLogger(__name__)


def visual_pages(data: bytes, pages: int = 2) -> tuple[str, ...]:
    """The first `pages` pages as visually ordered lines; () when the PDF cannot be laid out."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return tuple((page.extract_text() or "").replace("(cid:127)", "•") for page in pdf.pages[:pages])
    except Exception as exc:  # noqa: BLE001 - a layout we cannot rebuild leaves the text layer's reading
        log.debug("pdfplumber could not lay out the page: %s", type(exc).__name__)
        return ()
