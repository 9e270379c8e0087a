"""The one accent-and-case fold every comparison uses, so that extractors and validators never
disagree about whether "Médico" and "MEDICO" are the same word."""

from __future__ import annotations

import re
import unicodedata

# Combining marks left by NFKD: diacritical marks and their supplements/extensions.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Upper case without accents or diacritics (Ñ becomes N, on both sides of a comparison
    alike). A regular expression over the decomposed text, ~10x faster than filtering each
    character through unicodedata.combining, which mattered on every page of every document."""
    if text.isascii():
        return text.upper()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.upper()))
