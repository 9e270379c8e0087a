"""RFC and CURP read by OCR, corrected with their own check digits.

OCR rarely reads these codes exactly: Q and 0, O and 0, I and 1, S and 5, B and 8 swap. Each
code has a fixed structure (letters here, a date there, a check character at the end), so a
misread is corrected in two steps: characters are forced to the class their position requires
(a 0 among the name letters is an O), then, where a position may hold either class, the
confusable alternatives are tried and the check digit (satcfdi's implementation of SAT's and
RENAPO's algorithms) must verify. A value is returned only when exactly one candidate verifies:
an ambiguous or unverifiable reading is "not found", never a guess. Pure text functions."""

from __future__ import annotations

import itertools
import re
from datetime import date

from satcfdi.models import CURP, RFC

# What OCR confuses, both ways. Letters a digit is read as, and digits a letter is read as.
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
_TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "T": "7",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "A": "4",
}
_CONFUSABLE = {
    "0": "0OQD",
    "O": "O0QD",
    "Q": "Q0O",
    "D": "D0O",
    "1": "1IL",
    "I": "I1L",
    "L": "L1I",
    "5": "5S",
    "S": "S58",
    "8": "8BS",
    "B": "B8",
    "2": "2Z",
    "Z": "Z2",
    "6": "6G",
    "G": "G6",
}
_MAX_COMBINATIONS = 4096
LATEST_2000S_BIRTH_YY = 30  # a CURP with year 31-99 is of someone born in the 1900s

# A token that could be an RFC or CURP once misreads are undone: letters and digits mixed.
RFC_TOKEN = re.compile(r"(?<![A-Z0-9Ñ&])[A-Z0-9Ñ&]{12,13}(?![A-Z0-9Ñ&])")
CURP_TOKEN = re.compile(r"(?<![A-Z0-9])[A-Z0-9]{18}(?![A-Z0-9])")


def rfc_candidates(value: str) -> set[str]:
    """Every reading of `value` that has an RFC's structure and whose check digit verifies."""
    value = value.upper().replace(" ", "")
    if len(value) not in (12, 13):
        return set()
    letters = len(value) - 9
    slots = [_letter(c) for c in value[:letters]] + [_digit(c) for c in value[letters : letters + 6]]
    slots += [_CONFUSABLE.get(c, c) for c in value[letters + 6 :]]
    out = set()
    for chars in _combinations(slots):
        candidate = "".join(chars)
        if _rfc_verifies(candidate) and _yymmdd(candidate[letters : letters + 6]):
            out.add(candidate)
    return out


def curp_candidates(value: str) -> set[str]:
    """Every reading of `value` with a CURP's structure whose check digit verifies."""
    value = value.upper().replace(" ", "")
    if len(value) != 18:
        return set()
    slots = [_letter(c) for c in value[:4]] + [_digit(c) for c in value[4:10]]
    slots += [_letter(value[10])] + [_letter(c) for c in value[11:16]]
    # Position 17 is a digit for births in the 1900s and a letter from 2000 on; a year past
    # LATEST_2000S_BIRTH_YY can only be the 1900s.
    homoclave = _CONFUSABLE.get(value[16], value[16])
    if slots[4].isdigit() and slots[5].isdigit() and int(slots[4] + slots[5]) > LATEST_2000S_BIRTH_YY:
        homoclave = "".join(c for c in homoclave if c.isdigit()) or _digit(value[16])
    slots += [homoclave, _digit(value[17])]
    out = set()
    for chars in _combinations(slots):
        candidate = "".join(chars)
        try:
            ok = CURP(candidate).is_valid()
        except (ValueError, IndexError):
            ok = False
        if ok and _yymmdd(candidate[4:10]):
            out.add(candidate)
    return out


def correct_rfc(readings: list[str], confirmed: str | None = None) -> str | None:
    """The one RFC the OCR readings can mean. `confirmed` is an exact machine reading (the
    CSF's QR): it wins when some reading is compatible with it, or when there is no reading."""
    if confirmed:
        confirmed = confirmed.upper()
        if not readings or any(_compatible(r, confirmed) for r in readings):
            return confirmed
    found = set()
    for reading in readings:
        found |= rfc_candidates(reading)
    return found.pop() if len(found) == 1 else None


def correct_curp(readings: list[str]) -> str | None:
    found = set()
    for reading in readings:
        found |= curp_candidates(reading)
    return found.pop() if len(found) == 1 else None


def _compatible(reading: str, exact: str) -> bool:
    reading = reading.upper().replace(" ", "")
    return len(reading) == len(exact) and all(
        a == b or b in _CONFUSABLE.get(a, a) or a in _CONFUSABLE.get(b, b) or b in (_letter(a) + _digit(a))
        for a, b in zip(reading, exact, strict=True)
    )


def _letter(c: str) -> str:
    """A letter position: a digit there is one of the letters it is confused with."""
    if not c.isdigit():
        return c
    return "".join(x for x in _CONFUSABLE.get(c, "") if x.isalpha()) or _TO_LETTER.get(c, c)


def _digit(c: str) -> str:
    return _TO_DIGIT.get(c, c) if not c.isdigit() else c


def _combinations(slots: list[str]):
    total = 1
    for slot in slots:
        total *= len(slot)
    if total > _MAX_COMBINATIONS:
        return iter(())
    return itertools.product(*slots)


def _rfc_verifies(candidate: str) -> bool:
    try:
        return RFC(candidate).is_valid()
    except (ValueError, IndexError):
        return False


def _yymmdd(digits: str) -> bool:
    if not digits.isdigit():
        return False
    try:
        date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True
