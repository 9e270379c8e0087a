"""One date reader for every document kind: the forms Mexican (and foreign) documents print.

Claims clerks read "26/10/2025", "26-OCT-2025", "26 de octubre de 2025", "2025-10-26",
"October 26, 2025", "OCT 2025", "del 01 al 31 de octubre de 2025", "01/10/2025 al 31/10/2025" and
a month-only period closed by its "Fecha de corte" as the same kind of fact. Each extractor used to
carry its own regexes for two or three of these, so a certificate or statement printed by another
generator lost its dates. Here every form is read once, checked against the calendar (no 31 of
November) and against a plausible year range, and handed back with its position so that a caller
can prefer the date next to its label.

Pure functions over text: no I/O, no state. Positions refer to the folded text (`fold_text`), which
has the same length as NFC input (accents are dropped, never letters)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise

from domain.text import fold as _fold_case_accents

# Plausible years for any document of a claim: birth dates on IDs reach back, statements and
# certificates do not reach far ahead. Callers narrow it where they know better.
YEARS = (1900, 2100)

MONTHS = {
    # Spanish, full and abbreviated (SAT and the banks print both, with or without a dot).
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
    "ENE": 1,
    "FEB": 2,
    "MAR": 3,
    "ABR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AGO": 8,
    "SEP": 9,
    "SEPT": 9,
    "SET": 9,
    "OCT": 10,
    "NOV": 11,
    "DIC": 12,
    # English, for foreign invoices and receipts.
    "JANUARY": 1,
    "FEBRUARY": 2,
    "MARCH": 3,
    "APRIL": 4,
    "JUNE": 6,
    "JULY": 7,
    "AUGUST": 8,
    "SEPTEMBER": 9,
    "OCTOBER": 10,
    "NOVEMBER": 11,
    "DECEMBER": 12,
    "JAN": 1,
    "APR": 4,
    "AUG": 8,
    "DEC": 12,
}
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?![A-Z])\.?"
_M = rf"(?P<mon>{_MONTH})"
_ORDINAL = r"(?:\s*(?:ST|ND|RD|TH|O\.?|°|º))?"
_NOT_NUM_BEFORE = r"(?<![\d/.\-])"
_NOT_NUM_AFTER = r"(?![\d]|[/.\-]\d)"

# Full dates, each with named groups day/mon|month/year.
_DMY_NUMERIC = re.compile(
    _NOT_NUM_BEFORE + r"(?P<day>\d{1,2})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})" + _NOT_NUM_AFTER
)
_ISO = re.compile(
    _NOT_NUM_BEFORE + r"(?P<year>\d{4})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _NOT_NUM_AFTER
)
# "26 de octubre de 2025", "26-OCT-2025", "26 OCT. 25", "26/oct/2025", "1o. de octubre del 2025",
# "26th October 2025".
_DMY_NAMED = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})"
    + _ORDINAL
    + r"\s*(?:[/\-.]\s*|DE\s+)?"
    + _M
    + r"\s*(?:[/\-.,]\s*|DEL?\s+)?(?P<year>\d{4}|\d{2}(?![\d:]|\s*,?\s*\d{4}))(?!\d)"
)
# "October 26, 2025", "Oct. 26 2025".
_MDY_NAMED = re.compile(r"\b" + _M + r"\s*(?P<day>\d{1,2})" + _ORDINAL + r"\s*,?\s*(?P<year>\d{4})(?!\d)")
# Month precision: "OCT 2025", "octubre de 2025", "October, 2025", "OCT-2025".
_MONTH_YEAR = re.compile(r"(?<![\d])\b" + _M + r"\s*(?:[/\-,]\s*|DEL?\s+)?(?P<year>\d{4})(?!\d)")

# Range joiners: "al", "a", "-", "–", "hasta", "to", "through".
_JOIN = r"\s*(?:AL|A|HASTA|TO|THROUGH|THRU|-|–|—|~)\s*"
# The first half of a range when it omits what the second half prints: "DEL 01 AL 31 DE OCTUBRE
# DE 2025", "del 1 de septiembre al ...", "October 1 - 31, 2025" / "Oct 1 – Oct 31, 2025".
_RANGE_HEAD = re.compile(
    r"(?:\b(?:DEL?|DESDE|FROM)\s+)?(?<![\d/.\-])(?:(?P<day>\d{1,2})"
    + _ORDINAL
    + r"(?:\s*(?:DE\s+)?(?P<mon>"
    + _MONTH
    + r"))?|(?P<mon2>"
    + _MONTH
    + r")\s*(?P<day2>\d{1,2}))"
    + _JOIN
    + "$"
)
# "October 1 - 31, 2025": the second half is a bare day followed by the year.
_EN_DAY_RANGE = re.compile(r"\b" + _M + r"\s*(?P<d1>\d{1,2})" + _JOIN + r"(?P<d2>\d{1,2})\s*,?\s*(?P<year>\d{4})(?!\d)")
_PERIOD_LABEL = re.compile(
    r"\b(?:PERIODO|PERIOD|MES|MONTH|ESTADO DE CUENTA|STATEMENT)\b(?:\s+(?:DEL\s+MES|DEL|DE|CORRESPONDIENTE\s+AL?|OF))*\s*:?\s*"
)
_CUTOFF_LABEL = re.compile(
    r"\b(?:FECHA\s+(?:DE(?:L)?\s+)?CORTE|CORTE(?:\s+AL)?|DIA\s+DE\s+CORTE|CUT[\s-]?OFF(?:\s+DATE)?|CLOSING\s+DATE|STATEMENT\s+DATE)\b\s*:?\s*"
)


@dataclass(frozen=True)
class FoundDate:
    """A date read from text: its value, where it was printed, and whether the day was printed
    ("OCT 2025" gives the first of the month with day_known False)."""

    value: date
    start: int
    end: int
    day_known: bool = True


@dataclass(frozen=True)
class Period:
    """A statement period. `end` is the last date printed or, for a month-only period, the
    cut-off date (RULES.md BANK-006); None when only the month was found."""

    start: date | None
    end: date | None


def fold_text(text: str) -> str:
    """Upper case, accents dropped, runs of spaces and tabs collapsed to one space (lines kept)."""
    return re.sub(r"[ \t\u00a0]+", " ", _fold_case_accents(text))


def make_date(year: int, month: int, day: int, years: tuple[int, int] = YEARS) -> date | None:
    """A calendar-valid date within the plausible years, or None."""
    if not (years[0] <= year <= years[1] and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _year(text: str) -> int:
    """Two-digit years are this century's up to 69, the last century's from 70 (birth dates)."""
    year = int(text)
    if len(text) == 2:
        return 2000 + year if year < 70 else 1900 + year
    return year


def month_number(name: str) -> int | None:
    """The month a Spanish or English name or abbreviation stands for ("Oct.", "octubre")."""
    return MONTHS.get(_fold_case_accents(name).strip(" .").upper())


def _from_match(m: re.Match, years: tuple[int, int], month_first_fallback: bool) -> date | None:
    groups = m.groupdict()
    year = _year(groups["year"])
    if groups.get("mon"):
        month = MONTHS[groups["mon"].rstrip(".").strip()]
    else:
        month = int(groups["month"])
    day = int(groups["day"])
    value = make_date(year, month, day, years)
    # A US date ("10/26/2025") is read only when it cannot be a day-first one.
    if (
        value is None
        and month_first_fallback
        and groups.get("sep")
        and "month" in groups
        and m.re is _DMY_NUMERIC
        and month > 12 >= day
    ):
        value = make_date(year, day, month, years)
    return value


@lru_cache(maxsize=512)
def _find(folded: str, years: tuple[int, int], month_first_fallback: bool) -> tuple[FoundDate, ...]:
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for pattern in (_ISO, _DMY_NUMERIC, _DMY_NAMED, _MDY_NAMED):
        for m in pattern.finditer(folded):
            if not free(m.start(), m.end()):
                continue
            value = _from_match(m, years, month_first_fallback)
            if value:
                found.append(FoundDate(value, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    for m in _MONTH_YEAR.finditer(folded):
        if free(m.start(), m.end()):
            value = make_date(_year(m["year"]), MONTHS[m["mon"].rstrip(".").strip()], 1, years)
            if value:
                found.append(FoundDate(value, m.start(), m.end(), day_known=False))
                taken.append((m.start(), m.end()))
    return tuple(sorted(found, key=lambda f: f.start))


def find_dates(
    text: str, *, years: tuple[int, int] = YEARS, month_first_fallback: bool = False, folded: bool = False
) -> list[FoundDate]:
    """Every date printed in `text`, in reading order, full dates and month-year ones.
    `month_first_fallback` reads "10/26/2025" as 26 October (foreign documents) when day-first
    is impossible; never when both readings are valid. Pass folded=True when `text` already is
    `fold_text` output, to skip folding it again."""
    return list(_find(text if folded else fold_text(text), years, month_first_fallback))


def parse_date(text: str, *, years: tuple[int, int] = YEARS, month_first_fallback: bool = False) -> date | None:
    """The first full date (day printed) in `text`, or None."""
    for found in find_dates(text, years=years, month_first_fallback=month_first_fallback):
        if found.day_known:
            return found.value
    return None


def parse_month(text: str, *, years: tuple[int, int] = YEARS) -> date | None:
    """The first date of any precision in `text` ("OCT 2025" gives 2025-10-01)."""
    found = find_dates(text, years=years)
    return found[0].value if found else None


def last_day_of_month(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def find_ranges(text: str, *, years: tuple[int, int] = YEARS, folded: bool = False) -> list[tuple[int, Period]]:
    """Every "start … end" range printed in `text` as (position, Period), in reading order:
    two full dates joined by al/a/-/hasta/to, or a first half that omits the month or year the
    second half prints ("del 01 al 31 de octubre de 2025", "Oct 1 - 31, 2025")."""
    folded_text = text if folded else fold_text(text)
    dates = [d for d in _find(folded_text, years, False) if d.day_known]
    ranges: list[tuple[int, Period]] = []
    used_ends: set[int] = set()
    for first, second in pairwise(dates):
        if re.fullmatch(_JOIN, folded_text[first.end : second.start]) and first.value <= second.value:
            ranges.append((first.start, Period(first.value, second.value)))
            used_ends.add(second.start)
    for end in dates:
        if end.start in used_ends:
            continue
        window_start = max(0, end.start - 40)
        head = _RANGE_HEAD.search(folded_text[window_start : end.start])
        if not head:
            continue
        start = _complete_head(head, end.value, years)
        if start and start <= end.value:
            ranges.append((window_start + head.start(), Period(start, end.value)))
    for m in _EN_DAY_RANGE.finditer(folded_text):
        month = MONTHS[m["mon"].rstrip(".").strip()]
        start, stop = (make_date(int(m["year"]), month, int(d), years) for d in (m["d1"], m["d2"]))
        if start and stop and start <= stop and all(p.start != start or p.end != stop for _, p in ranges):
            ranges.append((m.start(), Period(start, stop)))
    return sorted(ranges, key=lambda r: r[0])


def _complete_head(head: re.Match, end: date, years: tuple[int, int]) -> date | None:
    """The first half's date, taking the month and year it omits from the second half; a start
    month after the end month belongs to the previous year ("del 15 de diciembre al 14 de enero")."""
    day = head["day"] or head["day2"]
    name = head["mon"] or head["mon2"]
    month = MONTHS[name.rstrip(".").strip()] if name else end.month
    year = end.year - (1 if month > end.month else 0)
    return make_date(year, month, int(day), years)


def find_cutoff(text: str, *, years: tuple[int, int] = YEARS, folded: bool = False) -> date | None:
    """The date printed after a cut-off label ("Fecha de corte: 31/10/2025", "Corte al 31 OCT 2025")."""
    folded_text = text if folded else fold_text(text)
    for label in _CUTOFF_LABEL.finditer(folded_text):
        window = folded_text[label.end() : label.end() + 60]
        found = [d for d in _find(window, years, False) if d.day_known]
        if found and found[0].start <= 25:
            return found[0].value
    return None


def find_period(text: str, *, years: tuple[int, int] = YEARS, folded: bool = False) -> Period | None:
    """A statement's period. A range right after a period label wins over any other range; then
    the first range; then a month printed after a period label (or alone) closed by the cut-off
    date, whose end is the cut-off (RULES.md BANK-006); then the cut-off alone as the end."""
    folded_text = text if folded else fold_text(text)
    ranges = find_ranges(folded_text, years=years, folded=True)
    labels = [m.end() for m in _PERIOD_LABEL.finditer(folded_text)]
    for position, period in ranges:
        if any(0 <= position - end <= 20 for end in labels):
            return period
    if ranges:
        return ranges[0][1]
    cutoff = find_cutoff(folded_text, years=years, folded=True)
    month = _labelled_month(folded_text, labels, years)
    if month:
        return Period(month, cutoff if cutoff and cutoff >= month else None)
    return Period(None, cutoff) if cutoff else None


def _labelled_month(folded_text: str, label_ends: list[int], years: tuple[int, int]) -> date | None:
    for end in label_ends:
        found = _find(folded_text[end : end + 40], years, False)
        if found and found[0].start <= 12 and not found[0].day_known:
            return found[0].value
    return None
