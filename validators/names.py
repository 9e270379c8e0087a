"""The one name normalisation of RULES.md (BANK-005, CFDI-016, CFDI-018, CSF-008).

Banks, SAT and claimants write the same person differently: "Lic. María Fernanda López García",
"LOPEZ GARCIA MARIA FERNANDA", "MARIA FERNANDA LOPEZ-GARCIA". Every rule that compares names
goes through here so that two rules never disagree about whether two names are one person.

A name becomes a sorted tuple of words (a multiset): order is ignored but repetition is kept, so
"JOSE JOSE PEREZ" is not the same person as "JOSE PEREZ". Nothing fuzzy is done on purpose: a
misspelt surname is another person as far as an automated check may tell.

Companies: CFDI 4.0 and the CSF print a company's name without its legal form ("CLINICA DEL
VALLE"), bank statements and forms with it ("CLINICA DEL VALLE, S.A. DE C.V."). The rule set's
legal forms are dropped when they end the name, in any spelling of their dots and spaces ("SA DE
CV", "S A DE C V", "SAPI DE CV"). Only as the trailing suffix, before the words are sorted: the
law puts the legal form after the name, and the same letters elsewhere are part of it ("SAS
CLINICA", "GRUPO SAS DEL NORTE, S.A.S.")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from domain.text import fold as fold_case_accents

# Dots and apostrophes join ("S.A. DE C.V." -> "SA DE CV", "D'ANGELO" -> "DANGELO"); any other
# punctuation separates words ("LOPEZ-GARCIA" -> "LOPEZ GARCIA", "GARCIA, MARIA" -> two words).
_JOINERS = re.compile(r"[.'`´’‘]")
_SEPARATORS = re.compile(r"[^A-Z0-9 ]+")


_fold = fold_case_accents


def _words(text: str) -> list[str]:
    folded = _JOINERS.sub("", _fold(text))
    return _SEPARATORS.sub(" ", folded).split()


def normalize_name(name: str, honorifics: Iterable[str], legal_forms: Iterable[str] = ()) -> tuple[str, ...]:
    """The comparable form of a name: its words, folded, a trailing legal form dropped,
    honorifics dropped, sorted. The legal form goes first, so that the C of "S C" (an S.C.
    written with spaces) is read as part of it and not as the honorific C."""
    drop = _honorific_words(tuple(honorifics))
    words = _without_legal_form(_words(name or ""), _legal_form_spellings(tuple(legal_forms)))
    return tuple(sorted(w for w in words if w not in drop))


@lru_cache(maxsize=8)
def _legal_form_spellings(legal_forms: tuple[str, ...]) -> frozenset[str]:
    """Each legal form as its letters alone ("S.A. DE C.V." -> "SADECV"): how it is spelt with
    or without dots and spaces does not change them."""
    return frozenset(spelt for form in legal_forms if (spelt := "".join(_words(form))))


def _without_legal_form(words: list[str], spellings: frozenset[str]) -> list[str]:
    """The words without the longest run of trailing words whose letters spell a legal form.
    A name that is nothing but a legal form is kept whole: there would be nothing to compare."""
    if not spellings:
        return words
    longest = max(map(len, spellings))
    cut, tail = None, ""
    for start in range(len(words) - 1, 0, -1):
        tail = words[start] + tail
        if len(tail) > longest:
            break
        if tail in spellings:
            cut = start
    return words if cut is None else words[:cut]


@lru_cache(maxsize=8)
def _honorific_words(honorifics: tuple[str, ...]) -> frozenset[str]:
    """The rule set's honorifics as words, once per list rather than on every comparison."""
    return frozenset(word for h in honorifics for word in _words(h))


def same_person(a: str | None, b: str | None, honorifics: Iterable[str], legal_forms: Iterable[str] = ()) -> bool:
    """True when both names normalise to the same words. An empty name is nobody: two empty
    names are not the same person, so a missing value can never pass a check."""
    drop, forms = tuple(honorifics), tuple(legal_forms)
    left, right = normalize_name(a or "", drop, forms), normalize_name(b or "", drop, forms)
    return bool(left) and left == right


def name_in_text(
    name: str | None, text: str | None, honorifics: Iterable[str], legal_forms: Iterable[str] = ()
) -> bool:
    """True when every word of the name (with its repetitions) appears in the text, in any
    order: for a name written inside a longer description (CFDI-018's concept description)."""
    wanted = Counter(normalize_name(name or "", tuple(honorifics), tuple(legal_forms)))
    if not wanted:
        return False
    present = Counter(_words(text or ""))
    return all(present[word] >= count for word, count in wanted.items())
