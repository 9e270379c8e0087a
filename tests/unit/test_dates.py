"""extractors.dates: every date form Mexican and foreign documents print, checked by the calendar."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.dates import (
    Period,
    find_cutoff,
    find_dates,
    find_period,
    find_ranges,
    month_number,
    parse_date,
    parse_month,
)

OCT26 = date(2025, 10, 26)


@pytest.mark.parametrize(
    "text",
    [
        "26/10/2025",
        "26-10-2025",
        "26.10.2025",
        "26/10/25",
        "2025-10-26",
        "2025/10/26",
        "26-OCT-2025",
        "26-Oct-25",
        "26 OCT 2025",
        "26 oct. 2025",
        "26/oct/2025",
        "26OCT2025",
        "26 de octubre de 2025",
        "26 de Octubre del 2025",
        "26 DE OCTUBRE DE 2025",
        "26 octubre 2025",
        "CUAUHTÉMOC, CIUDAD DE MÉXICO A 26 DE OCTUBRE DE 2025",
        "Fecha: 26 de octubre, 2025",
        "October 26, 2025",
        "Oct. 26 2025",
        "26 October 2025",
        "26th October 2025",
        "Issued on Oct 26, 2025.",
    ],
)
def test_every_printed_form_reads_the_same_day(text):
    assert parse_date(text) == OCT26


@pytest.mark.parametrize(
    "text",
    [
        "31/11/2025",
        "29/02/2025",
        "32-OCT-2025",
        "00/10/2025",
        "26/13/2025",
        "31 de noviembre de 2025",
        "2025-02-30",
        "26/10/1850",
        "Folio 1234567890",
        "Total 1.250.00",
        "Tel. 55-1234-5678",
    ],
)
def test_impossible_or_implausible_dates_are_not_read(text):
    assert parse_date(text) is None


def test_leap_day_is_valid_only_in_leap_years():
    assert parse_date("29/02/2024") == date(2024, 2, 29)
    assert parse_date("29/02/2023") is None


def test_year_range_is_the_callers_to_narrow():
    assert parse_date("26/10/1999") == date(1999, 10, 26)
    assert parse_date("26/10/1999", years=(2000, 2100)) is None


def test_us_month_first_only_when_day_first_is_impossible():
    assert parse_date("10/26/2025") is None
    assert parse_date("10/26/2025", month_first_fallback=True) == OCT26
    # Both readings valid: the Mexican day-first one, never a guess.
    assert parse_date("05/10/2025", month_first_fallback=True) == date(2025, 10, 5)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("OCT 2025", date(2025, 10, 1)),
        ("octubre de 2025", date(2025, 10, 1)),
        ("Periodo: Septiembre 2025", date(2025, 9, 1)),
        ("October, 2025", date(2025, 10, 1)),
        ("DIC-2024", date(2024, 12, 1)),
    ],
)
def test_month_year_has_month_precision(text, expected):
    found = find_dates(text)
    assert [(f.value, f.day_known) for f in found] == [(expected, False)]
    assert parse_month(text) == expected
    assert parse_date(text) is None  # no day printed: not a full date


def test_full_date_wins_over_its_own_month_year():
    found = find_dates("Emitida el 26 de octubre de 2025 en CDMX")
    assert [(f.value, f.day_known) for f in found] == [(OCT26, True)]


def test_dates_come_in_reading_order_with_positions():
    text = "Fecha de corte 31/10/2025 Fecha de pago 2025-11-20"
    found = find_dates(text)
    assert [f.value for f in found] == [date(2025, 10, 31), date(2025, 11, 20)]
    assert text[found[0].start : found[0].end] == "31/10/2025"


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("del 01 al 31 de octubre de 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("DEL 1 DE SEPTIEMBRE AL 30 DE SEPTIEMBRE DE 2025", date(2025, 9, 1), date(2025, 9, 30)),
        ("Periodo del 15 de diciembre al 14 de enero de 2026", date(2025, 12, 15), date(2026, 1, 14)),
        ("01/10/2025 al 31/10/2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("01/10/2025 - 31/10/2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("Período: 01-OCT-2025 / 31-OCT-2025".replace(" / ", " AL "), date(2025, 10, 1), date(2025, 10, 31)),
        ("Desde 2025-10-01 hasta 2025-10-31", date(2025, 10, 1), date(2025, 10, 31)),
        ("01 OCT 2025 – 31 OCT 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("Statement period: October 1 - 31, 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("From Oct 1, 2025 to Oct 31, 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("Oct 1 – Oct 31, 2025", date(2025, 10, 1), date(2025, 10, 31)),
    ],
)
def test_period_ranges_in_every_form(text, start, end):
    assert find_period(text) == Period(start, end)


def test_month_only_period_ends_at_the_cutoff_date():
    text = "Periodo: octubre 2025\nFecha de corte: 31/10/2025\nSaldo anterior 1,000.00"
    assert find_period(text) == Period(date(2025, 10, 1), date(2025, 10, 31))
    assert find_period("ESTADO DE CUENTA DEL MES DE OCTUBRE DE 2025  CORTE AL 30 OCT 2025") == Period(
        date(2025, 10, 1), date(2025, 10, 30)
    )


def test_month_without_cutoff_has_no_end():
    assert find_period("Periodo: octubre 2025") == Period(date(2025, 10, 1), None)


def test_labelled_range_wins_over_earlier_unlabelled_one():
    text = "Promoción válida 01/01/2025 al 31/12/2025\nPeríodo: 01/10/2025 al 31/10/2025"
    assert find_period(text) == Period(date(2025, 10, 1), date(2025, 10, 31))


def test_backwards_range_is_not_a_range():
    assert find_ranges("31/10/2025 al 01/10/2025") == []


def test_cutoff_labels():
    assert find_cutoff("Fecha de Corte: 31-OCT-2025") == date(2025, 10, 31)
    assert find_cutoff("Corte al 31 de octubre de 2025") == date(2025, 10, 31)
    assert find_cutoff("Cut-off date: October 31, 2025") == date(2025, 10, 31)
    assert find_cutoff("Fecha de pago 31/10/2025") is None


def test_month_names():
    assert month_number("Oct.") == 10
    assert month_number("setiembre") == 9
    assert month_number("Diciembre") == 12
    assert month_number("Brumaire") is None


SPANISH = [
    "ENERO",
    "FEBRERO",
    "MARZO",
    "ABRIL",
    "MAYO",
    "JUNIO",
    "JULIO",
    "AGOSTO",
    "SEPTIEMBRE",
    "OCTUBRE",
    "NOVIEMBRE",
    "DICIEMBRE",
]
ABBR = ["ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"]


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(range(6)))
def test_any_calendar_date_round_trips_through_every_form(value, form):
    text = [
        f"{value.day:02d}/{value.month:02d}/{value.year}",
        f"{value.isoformat()}",
        f"{value.day:02d}-{ABBR[value.month - 1]}-{value.year}",
        f"{value.day} de {SPANISH[value.month - 1].lower()} de {value.year}",
        f"{value.strftime('%B')} {value.day}, {value.year}",
        f"{value.day}.{value.month}.{value.year}",
    ][form]
    assert parse_date(f"Fecha: {text} ") == value


@given(st.integers(1, 31), st.integers(1, 12), st.integers(1901, 2099))
def test_numeric_dates_are_read_only_when_the_calendar_has_them(day, month, year):
    value = parse_date(f"{day:02d}/{month:02d}/{year}")
    try:
        expected = date(year, month, day)
    except ValueError:
        expected = None
    assert value == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 1)), st.integers(0, 60))
def test_numeric_ranges_round_trip(start, length):
    from datetime import timedelta

    end = start + timedelta(days=length)
    text = f"Periodo: {start:%d/%m/%Y} al {end:%d/%m/%Y}"
    assert find_period(text) == Period(start, end)
