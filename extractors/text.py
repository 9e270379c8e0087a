"""Text helpers shared by the extractors: one normalisation so that accents lost in OCR or
typed differently never decide what a document says."""

from __future__ import annotations

import re
from datetime import date

from domain.text import fold as fold_case_accents

MONTHS_ES = {
    "ENERO": 1,
    "FEBRERO": 2,
    "MARZO": 3,
    "ABRIL": 4,
    "MAYO": 5,
    "JUNIO": 6,
    "JULIO": 7,
    "AGOSTO": 8,
    "SEPTIEMBRE": 9,
    "SETIEMBRE": 9,
    "OCTUBRE": 10,
    "NOVIEMBRE": 11,
    "DICIEMBRE": 12,
}

_SPACES = re.compile(r"[ \t\u00a0]+")


def fold(text: str) -> str:
    """Upper case, accents removed, runs of spaces collapsed; line breaks kept."""
    return _SPACES.sub(" ", fold_case_accents(text))


_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})\b")
_LONG_DATE = re.compile(r"\b(\d{1,2})\s+DE\s+([A-Z]+)\s+(?:DE|DEL)\s+(\d{4})\b")


def parse_date_es(text: str) -> date | None:
    """The first date in folded text: dd/mm/yyyy or "15 DE NOVIEMBRE DE 2026"."""
    candidates = []
    for m in _NUMERIC_DATE.finditer(text):
        candidates.append((m.start(), _safe_date(int(m[3]), int(m[2]), int(m[1]))))
    for m in _LONG_DATE.finditer(text):
        month = MONTHS_ES.get(m[2])
        if month:
            candidates.append((m.start(), _safe_date(int(m[3]), month, int(m[1]))))
    for _, value in sorted(candidates, key=lambda c: c[0]):
        if value:
            return value
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def value_after(label: str, text: str, max_len: int = 120) -> str | None:
    """The rest of the line after `label:` in folded text, trimmed; None if absent or empty."""
    m = re.search(rf"{label}\s*:\s*([^\n]{{1,{max_len}}})", text)
    if not m:
        return None
    value = m[1].strip(" _.-")
    return value or None
