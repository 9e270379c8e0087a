"""The one name normalisation of RULES.md (BANK-005, CFDI-016, CFDI-018, CSF-008).

Banks, SAT and claimants write the same person differently: "Lic. María Fernanda López García",
"LOPEZ GARCIA MARIA FERNANDA", "MARIA FERNANDA LOPEZ-GARCIA". Every rule that compares names
goes through here so that two rules never disagree about whether two names are one person.

A name becomes a sorted tuple of words (a multiset): order is ignored but repetition is kept, so
"JOSE JOSE PEREZ" is not the same person as "JOSE PEREZ". Nothing fuzzy is done on purpose: a
misspelt surname is another person as far as an automated check may tell."""

from __future__ import annotations

from claim_intake.text import fold as fold_case_accents

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

# Dots and apostrophes join ("S.A. DE C.V." -> "SA DE CV", "D'ANGELO" -> "DANGELO"); any other
# punctuation separates words ("LOPEZ-GARCIA" -> "LOPEZ GARCIA", "GARCIA, MARIA" -> two words).
_JOINERS = re.compile(r"[.'`´’‘]")
_SEPARATORS = re.compile(r"[^A-Z0-9 ]+")


_fold = fold_case_accents


def _words(text: str) -> list[str]:
    folded = _JOINERS.sub("", _fold(text))
    return _SEPARATORS.sub(" ", folded).split()


def normalize_name(name: str, honorifics: Iterable[str]) -> tuple[str, ...]:
    """The comparable form of a name: its words, folded, honorifics dropped, sorted."""
    drop = _honorific_words(tuple(honorifics))
    return tuple(sorted(w for w in _words(name or "") if w not in drop))


@lru_cache(maxsize=8)
def _honorific_words(honorifics: tuple[str, ...]) -> frozenset[str]:
    """The rule set's honorifics as words, once per list rather than on every comparison."""
    return frozenset(word for h in honorifics for word in _words(h))


def same_person(a: str | None, b: str | None, honorifics: Iterable[str]) -> bool:
    """True when both names normalise to the same words. An empty name is nobody: two empty
    names are not the same person, so a missing value can never pass a check."""
    drop = tuple(honorifics)
    left, right = normalize_name(a or "", drop), normalize_name(b or "", drop)
    return bool(left) and left == right


def name_in_text(name: str | None, text: str | None, honorifics: Iterable[str]) -> bool:
    """True when every word of the name (with its repetitions) appears in the text, in any
    order: for a name written inside a longer description (CFDI-018's concept description)."""
    drop = tuple(honorifics)
    wanted = Counter(normalize_name(name or "", drop))
    if not wanted:
        return False
    present = Counter(_words(text or ""))
    return all(present[word] >= count for word, count in wanted.items())
