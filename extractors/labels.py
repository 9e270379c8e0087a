"""Labels by meaning: a field is found by any of the ways generators word and punctuate its label.

"Código Postal:", "C.P.", "CP", "Codigo postal" and "CÓDIGO  POSTAL :" are one label to a clerk.
`label_regex` turns a vocabulary of wordings into one pattern over folded text (upper case, no
accents: `extractors.dates.fold_text`) that tolerates any punctuation and spacing between and
after the words; `value_after` reads what follows a label on its line, up to the next label, or on
the next line when the label's line ends there (the value's cell sat lower).

Pure functions; patterns are cached because every document of a kind uses the same ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from domain.text import fold as _fold_case_accents

_PUNCT = r"[\s.:/,;()\-_#°º]*"


def fold_label(text: str) -> str:
    """A label reduced to its words: upper case, no accents, punctuation as single spaces."""
    return " ".join(re.sub(r"[^A-Z0-9Ñ&]+", " ", _fold_case_accents(text)).split())


@lru_cache(maxsize=512)
def label_regex(variants: tuple[str, ...]) -> re.Pattern:
    """One pattern for every wording in `variants`, over folded text. Words may be separated by
    any punctuation or spaces ("C.P." = "C P" = "CP" when written "C P"); a label is a whole
    word at both ends; its trailing colon, dots and spaces are part of the match, so `m.end()` is
    where the value starts. Longer wordings are tried first."""
    alternatives = []
    for variant in sorted({fold_label(v) for v in variants}, key=len, reverse=True):
        words = variant.split()
        alternatives.append(_PUNCT.join(re.escape(w) for w in words))
    body = "|".join(alternatives)
    return re.compile(rf"(?<![A-Z0-9])(?:{body})(?![A-Z0-9])[ \t.:;#)\-]*")


def find_labels(folded: str, variants: tuple[str, ...]) -> list[re.Match]:
    return list(label_regex(variants).finditer(folded))


def value_after(
    folded: str,
    variants: tuple[str, ...],
    stop: re.Pattern | None = None,
    *,
    next_line: bool = True,
    original: str | None = None,
    accept: Callable[[str], bool] | None = None,
) -> str | None:
    """The value printed after any wording of a label: the rest of its line up to `stop` (the
    other labels of the document), else the next line when the label ends its line. With
    `original` (the unfolded text, same length as `folded`) the value keeps its accents. With
    `accept`, a same-line value it refuses (OCR noise after the label: "RAZON SOCIAL S") gives way
    to the next line, and a value is returned only when accepted."""
    source = original if original is not None and len(original) == len(folded) else folded
    ok = accept or bool
    for m in label_regex(variants).finditer(folded):
        line_end = folded.find("\n", m.end())
        line_end = len(folded) if line_end < 0 else line_end
        cut = stop.search(folded, m.end(), line_end) if stop else None
        value = _trim(source[m.end() : cut.start() if cut else line_end])
        if ok(value):
            return value
        if (cut and value) or not next_line or line_end >= len(folded):
            continue
        following_end = folded.find("\n", line_end + 1)
        following_end = len(folded) if following_end < 0 else following_end
        following = folded[line_end + 1 : following_end]
        stop_next = stop.search(following) if stop else None
        if not stop_next or stop_next.start() > 0:
            value = _trim(source[line_end + 1 : line_end + 1 + (stop_next.start() if stop_next else len(following))])
            if ok(value):
                return value
    return None


def _trim(value: str) -> str:
    """Separators around a value go; a final dot stays ("S.A. DE C.V.")."""
    return value.strip(" \t:-").lstrip(".").strip()
