"""Foreign invoice (care abroad): provider, country, date, total and currency from its text.

Deliberately simple and honest: labelled fields and plain patterns, nothing guessed. What is not
found stays None and FOR-002 tells the adjudicator; a wrong value would be worse than none."""

from __future__ import annotations

from claim_intake.text import fold as fold_case_accents

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from claim_intake.extractions import ForeignInvoiceExtraction

from .content import DocumentContent

# Country names (English/Spanish, folded to upper ASCII) -> ISO 3166 alpha-2. Excluded countries
# (FOR-001) are all here, so that they are recognised whatever the rule set lists.
COUNTRIES = {
    "UNITED STATES": "US", "USA": "US", "U.S.A.": "US", "ESTADOS UNIDOS": "US", "CANADA": "CA",
    "SPAIN": "ES", "ESPANA": "ES", "FRANCE": "FR", "FRANCIA": "FR", "GERMANY": "DE", "ALEMANIA": "DE",
    "ITALY": "IT", "ITALIA": "IT", "UNITED KINGDOM": "GB", "REINO UNIDO": "GB", "GUATEMALA": "GT",
    "COLOMBIA": "CO", "ARGENTINA": "AR", "CHILE": "CL", "PERU": "PE", "BRAZIL": "BR", "BRASIL": "BR",
    "COSTA RICA": "CR", "PANAMA": "PA", "JAPAN": "JP", "JAPON": "JP",
    "CUBA": "CU", "SYRIA": "SY", "SIRIA": "SY", "LIBYA": "LY", "LIBIA": "LY", "IRAN": "IR",
    "NORTH KOREA": "KP", "COREA DEL NORTE": "KP", "DPRK": "KP",
}
CURRENCIES = {"USD": "USD", "US$": "USD", "EUR": "EUR", "€": "EUR", "GBP": "GBP", "£": "GBP", "CAD": "CAD",
              "CUP": "CUP", "JPY": "JPY", "¥": "JPY", "COP": "COP", "CLP": "CLP", "GTQ": "GTQ"}
MONTHS = {m: i + 1 for i, names in enumerate([
    ("JAN", "JANUARY", "ENE", "ENERO"), ("FEB", "FEBRUARY", "FEBRERO"), ("MAR", "MARCH", "MARZO"),
    ("APR", "APRIL", "ABR", "ABRIL"), ("MAY", "MAYO"), ("JUN", "JUNE", "JUNIO"), ("JUL", "JULY", "JULIO"),
    ("AUG", "AUGUST", "AGO", "AGOSTO"), ("SEP", "SEPT", "SEPTEMBER", "SEPTIEMBRE"),
    ("OCT", "OCTOBER", "OCTUBRE"), ("NOV", "NOVEMBER", "NOVIEMBRE"), ("DEC", "DECEMBER", "DIC", "DICIEMBRE"),
]) for m in names}
_GENERIC = re.compile(r"^(INVOICE|FACTURA|BILL|STATEMENT|RECEIPT|RECIBO|PAGE|PAGINA|DATE|FECHA)\b")
_TOTAL = re.compile(r"(?<![A-Z])(?:TOTAL(?:\s+(?:DUE|AMOUNT|A\s+PAGAR|CHARGES))?|AMOUNT\s+DUE|BALANCE\s+DUE)\s*[:\-]?\s*"
                    r"([A-Z]{3}|US\$|[$€£¥])?\s*([0-9][0-9.,\s]*[0-9])")
_ISO = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](20\d{2})\b")
_WORDS_MDY = re.compile(r"\b([A-Z]{3,10})\.?\s+(\d{1,2}),?\s+(20\d{2})\b")
_WORDS_DMY = re.compile(r"\b(\d{1,2})\s+(?:DE\s+)?([A-Z]{3,10})\.?\s+(?:DE\s+)?(20\d{2})\b")


_fold = fold_case_accents


def _amount(raw: str) -> Decimal | None:
    raw = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{2}", raw) or re.fullmatch(r"\d+,\d{2}", raw):
        raw = raw.replace(".", "").replace(",", ".")  # 1.234,56 (European)
    else:
        raw = raw.replace(",", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str, country: str | None) -> date | None:
    """First date in the text. dd/mm vs mm/dd: US order for the US, day first elsewhere,
    unless a part above 12 settles it."""
    if m := _ISO.search(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _WORDS_MDY.search(text):
        if m[1] in MONTHS:
            return _safe_date(int(m[3]), MONTHS[m[1]], int(m[2]))
    if m := _WORDS_DMY.search(text):
        if m[2] in MONTHS:
            return _safe_date(int(m[3]), MONTHS[m[2]], int(m[1]))
    if m := _NUMERIC.search(text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        month_first = (country == "US" or b > 12) and a <= 12
        return _safe_date(y, a, b) if month_first else _safe_date(y, b, a)
    return None


def extract_foreign_invoice(content: DocumentContent) -> ForeignInvoiceExtraction:
    text = _fold(content.text or "")
    country = None
    for name, code in sorted(COUNTRIES.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"(?<![A-Z]){re.escape(name)}(?![A-Z])", text):
            country = code
            break
    total = currency = None
    matches = list(_TOTAL.finditer(text))
    if matches:
        last = matches[-1]  # the grand total comes after partial totals
        total = _amount(last[2])
        currency = CURRENCIES.get(last[1] or "")
    if currency is None:
        for token, code in CURRENCIES.items():
            if re.search(rf"(?<![A-Z]){re.escape(token)}(?![A-Z])", text):
                currency = code
                break
    provider = None
    for line in (content.text or "").splitlines():
        clean = line.strip()
        if len(clean) >= 3 and re.search(r"[A-Za-z]{3}", clean) and not _GENERIC.match(_fold(clean)) and len(clean) <= 80:
            provider = clean
            break
    return ForeignInvoiceExtraction(provider_name=provider, country=country, issued_on=find_date(text, country),
                                    total=total, currency=currency, text=content.text_info)
