"""Text helpers shared by the extractors: one normalisation so that accents lost in OCR or
typed differently never decide what a document says."""

from __future__ import annotations

import re

from domain.text import fold as fold_case_accents

_SPACES = re.compile(r"[ \t\u00a0]+")


def fold(text: str) -> str:
    """Upper case, accents removed, runs of spaces collapsed; line breaks kept."""
    return _SPACES.sub(" ", fold_case_accents(text))
