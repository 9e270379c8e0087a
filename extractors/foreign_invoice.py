"""Foreign invoice or receipt (care abroad): provider, country, date, total and currency, read by
meaning in Spanish, English (and the odd German label) whatever the layout.

- total: the amount after a total's label ("Total due", "Amount due (USD)", "Total factura",
  "Total a pagar", "Gesamtbetrag", a bare "TOTAL"), never a subtotal or a tax; grand totals win
  over a bare "Total", the last of equals wins (partial totals come first); "1.234,56",
  "1,234.56", "1 234,56" and "$ 1.250.000" are all amounts.
- currency: the ISO code or symbol printed with that total, else the dollar of the country
  ("$" in Colombia is COP), else a code printed elsewhere.
- country: a country's name (English, Spanish or its own language) or a US state/ZIP, Canadian
  province/postal code; the first one printed (the provider's address heads the document).
- date: the invoice's labelled date over a service or due date; US numeric dates month first.

What is not found stays None and FOR-002 tells the adjudicator; a wrong value would be worse than
none, so each value must be what it claims (an amount, a calendar date, a known country)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.extractions import ForeignInvoiceExtraction
from domain.text import fold as fold_case_accents

from .content import DocumentContent
from .forms import document_date

# Country names (English, Spanish and own language, folded) -> ISO 3166 alpha-2. Excluded
# countries (FOR-001) are all here, so that they are recognised whatever the rule set lists.
COUNTRIES = {
    "UNITED STATES OF AMERICA": "US",
    "UNITED STATES": "US",
    "USA": "US",
    "U.S.A.": "US",
    "U.S.A": "US",
    "ESTADOS UNIDOS": "US",
    "EE.UU.": "US",
    "EEUU": "US",
    "CANADA": "CA",
    "SPAIN": "ES",
    "ESPANA": "ES",
    "FRANCE": "FR",
    "FRANCIA": "FR",
    "GERMANY": "DE",
    "ALEMANIA": "DE",
    "DEUTSCHLAND": "DE",
    "ITALY": "IT",
    "ITALIA": "IT",
    "UNITED KINGDOM": "GB",
    "REINO UNIDO": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "GREAT BRITAIN": "GB",
    "PORTUGAL": "PT",
    "SWITZERLAND": "CH",
    "SUIZA": "CH",
    "SCHWEIZ": "CH",
    "NETHERLANDS": "NL",
    "PAISES BAJOS": "NL",
    "HOLANDA": "NL",
    "GUATEMALA": "GT",
    "COLOMBIA": "CO",
    "ARGENTINA": "AR",
    "CHILE": "CL",
    "PERU": "PE",
    "BRAZIL": "BR",
    "BRASIL": "BR",
    "COSTA RICA": "CR",
    "PANAMA": "PA",
    "JAPAN": "JP",
    "JAPON": "JP",
    "URUGUAY": "UY",
    "ECUADOR": "EC",
    "BELIZE": "BZ",
    "BELICE": "BZ",
    "HONDURAS": "HN",
    "EL SALVADOR": "SV",
    "REPUBLICA DOMINICANA": "DO",
    "DOMINICAN REPUBLIC": "DO",
    "AUSTRALIA": "AU",
    "CUBA": "CU",
    "SYRIA": "SY",
    "SIRIA": "SY",
    "LIBYA": "LY",
    "LIBIA": "LY",
    "IRAN": "IR",
    "NORTH KOREA": "KP",
    "COREA DEL NORTE": "KP",
    "DPRK": "KP",
}
_COUNTRY = re.compile(
    r"(?<![A-Z])(" + "|".join(re.escape(n) for n in sorted(COUNTRIES, key=len, reverse=True)) + r")(?![A-Z])"
)
_US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]
_US_ADDRESS = re.compile(r",\s*(?:" + "|".join(_US_STATES) + r")\s*,?\s+\d{5}(?:-\d{4})?\b")
_CA_ADDRESS = re.compile(r"\b(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s*,?\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\b")

CURRENCIES = {
    "USD": "USD",
    "US$": "USD",
    "U$S": "USD",
    "EUR": "EUR",
    "€": "EUR",
    "GBP": "GBP",
    "£": "GBP",
    "CAD": "CAD",
    "C$": "CAD",
    "CUP": "CUP",
    "JPY": "JPY",
    "¥": "JPY",
    "COP": "COP",
    "CLP": "CLP",
    "GTQ": "GTQ",
    "ARS": "ARS",
    "PEN": "PEN",
    "BRL": "BRL",
    "R$": "BRL",
    "CRC": "CRC",
    "CHF": "CHF",
    "UYU": "UYU",
    "DOP": "DOP",
    "AUD": "AUD",
    "MXN": "MXN",
}
# "$" alone is the dollar or peso of the country that printed it.
DOLLAR_OF = {
    "US": "USD",
    "CA": "CAD",
    "CO": "COP",
    "CL": "CLP",
    "AR": "ARS",
    "UY": "UYU",
    "DO": "DOP",
    "AU": "AUD",
    "EC": "USD",
    "SV": "USD",
    "PA": "USD",
}
_CURRENCY_TOKEN = r"(?:[A-Z]{3}|US\$|U\$S|C\$|R\$|[$€£¥])"
_AMOUNT = re.compile(
    r"(?P<pre>" + _CURRENCY_TOKEN + r"(?:\s*[$€£])?)?\s*"
    r"(?P<num>\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d%])"
    r"(?:\s*(?P<post>" + _CURRENCY_TOKEN + r"))?"
)

# Total labels: grand totals (rank 2) over a bare total (rank 1); subtotals and taxes never.
_GRAND_TOTAL = re.compile(
    r"(?<![A-Z])(?:GRAND TOTAL|INVOICE TOTAL|TOTAL AMOUNT(?: DUE)?|TOTAL DUE|TOTAL CHARGES|TOTAL PAID|AMOUNT PAID|"
    r"AMOUNT DUE|BALANCE DUE|TOTAL A PAGAR|TOTAL FACTURA|TOTAL GENERAL|IMPORTE TOTAL|TOTAL DE LA FACTURA|"
    r"TOTAL NETO|GESAMTBETRAG|RECHNUNGSBETRAG|ENDBETRAG)(?![A-Z])"
)
_BARE_TOTAL = re.compile(r"(?<![A-Z])TOTAL(?![A-Z])")
_NOT_A_TOTAL = re.compile(
    r"SUB\s*-?\s*TOTAL|TOTAL\s+(?:TAX|IVA|VAT|INSURANCE|PAYMENTS|ADJUSTMENTS|DISCOUNT|HT\b|NETO\s+SIN|BEFORE)"
)
# Between a total's label and its amount: punctuation, a tax-included mark, a currency code.
_GAP = re.compile(
    r"[\s:.\-=]*(?:(?:TTC|INCL\.?\s*(?:VAT|TAX)|IVA\s+INCLUIDO|CON\s+IVA|INC\.?\s*IVA)[\s:.]*)?"
    r"(?:\(?\s*[A-Z]{3}\s*\)?)?[\s:.\-=]*"
)

# Lines that are never the provider's name: document titles, labels, addresses, numbers.
_GENERIC = re.compile(
    r"^(?:PATIENT\s+)?(?:INVOICE|FACTURA|BILL|STATEMENT|RECEIPT|RECIBO|BOLETA|PAGE|PAGINA|DATE|FECHA|RECHNUNG|"
    r"TAX INVOICE|NO\.?|N[O°º]\b|NUMERO|ORIGINAL|COPIA|COPY|PATIENT|PACIENTE|BILL TO|CLIENTE)\b"
)
_TITLE_WORDS = re.compile(
    r"\s+(?:PATIENT STATEMENT|STATEMENT|INVOICE(?:\s*/\s*RECHNUNG)?|FACTURA(?:\s+ELECTRONICA)?|RECEIPT|RECIBO|"
    r"BOLETA(?:\s+ELECTRONICA)?|RECHNUNG)\s*$"
)
# "CVS Pharmacy #08812", "Walgreens Store 4471": the branch's number is not the provider's name.
_BRANCH_NUMBER = re.compile(r"\s+(?:(?:STORE|STORE NO\.?|SUC\.?|SUCURSAL|No\.?)\s*)?[#+*°º]?\s?\d{2,6}\s*$", re.I)
_PROVIDER_LABEL = re.compile(
    r"^\s*(?:PROVIDER|PROVEEDOR|EMISOR|RAZON SOCIAL|FACILITY|HOSPITAL|CLINIC|CLINICA|ISSUED BY|VENDOR)\s*:\s*(.+)$"
)


def extract_foreign_invoice(content: DocumentContent) -> ForeignInvoiceExtraction:
    text = content.text or ""
    folded = content.folded
    country = find_country(folded)
    total, currency = find_total(folded, country)
    return ForeignInvoiceExtraction(
        provider_name=find_provider(text),
        country=country,
        issued_on=document_date(folded, month_first=country == "US", folded=True),
        total=total,
        currency=currency or find_currency(folded, country),
        text=content.text_info,
    )


def find_country(folded: str) -> str | None:
    """The first country printed (a name, or an address only one country writes that way)."""
    hits = []
    if m := _COUNTRY.search(folded):
        hits.append((m.start(), COUNTRIES[m[1]]))
    if m := _US_ADDRESS.search(folded):
        hits.append((m.start(), "US"))
    if m := _CA_ADDRESS.search(folded):
        hits.append((m.start(), "CA"))
    return min(hits)[1] if hits else None


def find_total(folded: str, country: str | None) -> tuple[Decimal | None, str | None]:
    best = None  # (rank, position, amount, currency)
    for line_start, line in _lines(folded):
        if _NOT_A_TOTAL.search(line):
            line = _NOT_A_TOTAL.sub("  ", line)
        for rank, pattern in ((2, _GRAND_TOTAL), (1, _BARE_TOTAL)):
            for m in pattern.finditer(line):
                found = _amount_after(line[m.end() :], country)
                if found and (best is None or (rank, line_start + m.start()) > best[:2]):
                    best = (rank, line_start + m.start(), *found)
    return (best[2], best[3]) if best else (None, None)


def _lines(folded: str):
    start = 0
    for line in folded.split("\n"):
        yield start, line
        start += len(line) + 1


def _amount_after(rest: str, country: str | None) -> tuple[Decimal, str | None] | None:
    """The amount right after a total's label (only punctuation or a currency code between
    them), with its currency: an ISO code printed with it, else its symbol."""
    m = _AMOUNT.search(rest)
    if not m:
        return None
    gap = rest[: m.start()]
    if not _GAP.fullmatch(gap):
        return None
    amount = parse_amount(m["num"])
    if amount is None:
        return None
    tokens = [t.replace(" ", "") for t in (m["pre"], m["post"], gap.strip(" :.-=()")) if t]
    codes = [t for t in tokens if t in CURRENCIES and len(t) == 3] + [t[:3] for t in tokens if t[:3] in CURRENCIES]
    currency = CURRENCIES[codes[0]] if codes else next(filter(None, (_currency_of(t, country) for t in tokens)), None)
    return amount, currency


def _currency_of(token: str, country: str | None) -> str | None:
    """A symbol's currency; "$" is the dollar or peso of the country that printed it."""
    for part in (token, token[:2], token[-1:]):
        if part in CURRENCIES:
            return CURRENCIES[part]
    return DOLLAR_OF.get(country or "") if "$" in token else None


def parse_amount(raw: str) -> Decimal | None:
    """An amount in any national style: the last separator followed by one or two digits is the
    decimal point; groups of three are thousands ("185.000" Chilean pesos is 185000)."""
    raw = raw.replace(" ", "").replace("'", "")
    m = re.fullmatch(r"(.*?)(?:[.,](\d{1,2}))?", raw)
    assert m is not None  # the pattern matches any string
    whole, cents = m[1], m[2]
    whole = re.sub(r"[.,]", "", whole)
    if not whole.isdigit():
        return None
    try:
        return Decimal(f"{whole}.{cents}") if cents is not None else Decimal(whole)
    except InvalidOperation:
        return None


def find_currency(folded: str, country: str | None) -> str | None:
    """A currency printed with some amount when the total carried none: an ISO code or symbol,
    else the country's dollar when "$" is printed."""
    for m in re.finditer(r"(?<![A-Z])(US\$|U\$S|C\$|R\$|[A-Z]{3}|[€£¥])\s*\d|\d\s*([A-Z]{3}|[€£¥])(?![A-Z])", folded):
        token = m[1] or m[2]
        if token in CURRENCIES:
            return CURRENCIES[token]
    if "$" in folded:
        return DOLLAR_OF.get(country or "")
    return None


def find_provider(text: str) -> str | None:
    """The provider: a labelled name, else the first line of the letterhead that is a name (not a
    title, label, address, date or number), without a title printed on the same line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:40]:
        if m := _PROVIDER_LABEL.match(fold_case_accents(line)):
            value = line[len(line) - len(m[1]) :].strip()
            if _looks_like_name(value):
                return value[:80]
    for line in lines[:12]:
        folded = fold_case_accents(line)
        if _GENERIC.match(folded):
            continue
        if m := _TITLE_WORDS.search(folded):
            line = line[: m.start()].strip()
        line = _BRANCH_NUMBER.sub("", line)
        if _looks_like_name(line):
            return line[:80]
    return None


def _looks_like_name(line: str) -> bool:
    letters = sum(c.isalpha() for c in line)
    digits = sum(c.isdigit() for c in line)
    return (
        3 <= len(line) <= 80
        and letters >= 3
        and digits <= 6
        and not re.match(r"^\d", line)
        and ":" not in line
        and letters > 2 * digits
    )


def find_date(text: str, country: str | None) -> date | None:
    """The invoice's date: its labelled date (invoice, statement, issue) over others; US
    numeric dates month first, elsewhere day first unless impossible."""
    return document_date(text, month_first=country == "US")
