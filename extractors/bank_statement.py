"""Bank statement (estado de cuenta): from its text to a BankStatementExtraction.

Every bank prints the same three facts differently: the holder (labelled "Titular:", "Nombre del
cliente:", "Cliente:", under "Nombre del titular", or, as BBVA does, unlabelled above the
address), the CLABE (contiguous or in groups) and the period (two dates, two spelled-out dates,
or a month plus a "Fecha de corte"). Only the first pages are read: they carry all of it, while
movement pages name other banks and other CLABEs that must never be taken for the holder's.
Nothing here decides whether the statement is acceptable."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from itertools import pairwise
from typing import Any

from clabe import validate_clabe

from domain.extractions import BankStatementExtraction
from domain.text import fold as fold_case_accents

from .content import DocumentContent
from .dates import MONTHS, find_dates, find_period
from .labels import label_regex
from .layout import visual_pages
from .sniff import PDF

HEADER_PAGES = 2  # the second page is read only for what the first did not show
# The first of these found on the first page names the bank (earliest position wins: the logo
# and the header come before any mention of another bank).
BANKS = (
    ("BBVA México", r"\bBBVA\b|\bBANCOMER\b"),
    ("Banorte", r"\bBANORTE\b|\bBANCO MERCANTIL DEL NORTE\b"),
    ("Santander", r"\bSANTANDER\b"),
    ("Banamex", r"\bBANAMEX\b|\bCITIBANAMEX\b|\bBANCO NACIONAL DE MEXICO\b"),
    ("HSBC", r"\bHSBC\b"),
    ("Scotiabank", r"\bSCOTIABANK\b"),
    ("Inbursa", r"\bINBURSA\b"),
    ("Banco Azteca", r"\bBANCO AZTECA\b"),
    ("BanBajío", r"\bBANBAJIO\b|\bBANCO DEL BAJIO\b"),
    ("Banregio", r"\bBANREGIO\b"),
    ("Afirme", r"\bAFIRME\b"),
    ("BanCoppel", r"\bBANCOPPEL\b"),
    ("Banco del Bienestar", r"\bBANCO DEL BIENESTAR\b"),
    ("Hey Banco", r"\bHEY BANCO\b"),
    ("Nu México", r"\bNU MEXICO\b"),
)

_MONTH = r"(ENERO|FEBRERO|MARZO|ABRIL|MAYO|JUNIO|JULIO|AGOSTO|SEPTIEMBRE|SETIEMBRE|OCTUBRE|NOVIEMBRE|DICIEMBRE)"
_ABBR = r"(ENE|FEB|MAR|ABR|MAY|JUN|JUL|AGO|SEPT?|SET|OCT|NOV|DIC)"
_NUM_DATE = r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})"
_ABBR_DATE = rf"(\d{{1,2}})[-/ ]{_ABBR}\.?[-/ ](\d{{4}})"
_LONG_DATE = rf"(\d{{1,2}}) DE {_MONTH} (?:DE |DEL )?(\d{{4}})"
_TO = r"\s*(?:AL|A|-|–|HASTA)\s*"
_NUMERIC_RANGE = re.compile(_NUM_DATE + _TO + _NUM_DATE)
_ABBR_RANGE = re.compile(_ABBR_DATE + _TO + _ABBR_DATE)
_SPELLED_RANGE = re.compile(
    rf"\bDEL?\s+(\d{{1,2}})(?:\s+DE\s+{_MONTH}(?:\s+(?:DE|DEL)\s+(\d{{4}}))?)?\s+AL\s+(\d{{1,2}})\s+DE\s+{_MONTH}\s+(?:DE|DEL)\s+(\d{{4}})"
)
_MONTH_ONLY = re.compile(rf"\bPERIODO\s*:?\s*(?:DEL MES DE\s+)?{_MONTH}\s+(?:DE\s+|DEL\s+)?(\d{{4}})")
_CUTOFF = re.compile(r"\bFECHA\s+DE\s+CORTE\s*:?\s*")
_CLABE = re.compile(
    r"\b(?:CUENTA\s+)?CLABE(?:\s+INTERBANCARIA)?\s*(?:NO\.?|NUM\.?|NUMERO)?\s*:?\s*(\d(?:[ \t.-]{0,2}\d){17})(?!\d)"
)
_GROUPED_CLABE = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){17}(?![\d.,]?\d)")
_BARE_CLABE = re.compile(r"(?<!\d)\d{18}(?!\d)")
_HOLDER_LABEL = re.compile(
    r"\b(NOMBRE DEL (?:TITULAR|CLIENTE|CUENTAHABIENTE)|TITULAR(?: DE LA CUENTA)?|(?<!DE )CLIENTE|NOMBRE|"
    r"RAZON SOCIAL|DENOMINACION(?: O RAZON SOCIAL)?|A NOMBRE DE|CUENTAHABIENTE|ACCOUNT HOLDER|ACCOUNT NAME)\b\s*:?"
)
# A period printed as two labelled dates in their own cells ("Fecha inicial" / "Fecha final").
_START_LABEL = label_regex(
    (
        "Fecha inicial",
        "Fecha de inicio",
        "Fecha inicio",
        "Inicio del periodo",
        "Inicio de periodo",
        "Period start",
        "Periodo desde",
    )
)
_END_LABEL = label_regex(
    (
        "Fecha final",
        "Fecha de término",
        "Fecha término",
        "Fin del periodo",
        "Fin de periodo",
        "Period end",
        "Periodo hasta",
    )
)
_NAME_CHARS = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ.,&' -]+")
# Words of neighbouring labels: a holder's name read after its label ends where one starts.
_STOP_WORDS = {
    "PERIODO",
    "FECHA",
    "CUENTA",
    "CLABE",
    "NO",
    "NUMERO",
    "RFC",
    "R.F.C",
    "SUCURSAL",
    "PAGINA",
    "CLIENTE",
    "MONEDA",
    "DOMICILIO",
    "ESTADO",
    "SALDO",
    "RESUMEN",
    "CORTE",
    "DIRECCION",
    "PLAZA",
    "CONTRATO",
    "PRODUCTO",
    "TARJETA",
}
# Words of a bank's own headings: a line holding one is never an unlabelled holder's name.
_HEADING_WORDS = _STOP_WORDS | {
    "BANCO",
    "MOVIMIENTOS",
    "DETALLE",
    "INFORMACION",
    "MEXICO",
    "INSTITUCION",
    "GRUPO",
    "FINANCIERO",
    "BANCA",
    "MULTIPLE",
    "TOTAL",
    "DIGITAL",
    "COMPORTAMIENTO",
    "CUENTAS",
}
_ADDRESS_START = re.compile(
    r"^(?:CALLE|AV\b|AVENIDA|BLVD|BOULEVARD|CDA|CERRADA|PRIV|PRIVADA|COL\b|COLONIA|C\.?P\.?\b|CARR|CALZ|PROL|ANDADOR|MZ|MZA|LT|MANZANA)"
)


def extract_bank_statement(content: DocumentContent) -> BankStatementExtraction:
    found = _read_pages([_clean(p) for p in content.pages[:HEADER_PAGES]] or [""])
    if content.media_type == PDF and not content.text_info.ocr and not _complete(found):
        # Labels and values drawn as separate columns: read again in visual order, for what is missing.
        for key, value in _read_pages([_clean(p) for p in visual_pages(content.data, HEADER_PAGES)]).items():
            if key == "period_start" and "period_end" in found:
                continue
            if key not in found or (key == "period_end" and "period_end" not in found):
                found[key] = value
    return BankStatementExtraction(**found, text=content.text_info)


def _complete(found: dict[str, Any]) -> bool:
    return all(key in found for key in ("holder_name", "clabe", "period_end"))


def _read_pages(pages: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for page in pages:  # later pages only fill what earlier ones lacked
        folded = fold(page)
        if "bank_name" not in found and (bank := _bank(folded)):
            found["bank_name"] = bank
        if "holder_name" not in found and (holder := _holder(page)):
            found["holder_name"] = holder
        if "clabe" not in found and (clabe := _clabe(folded)):
            found["clabe"] = clabe
        if "period_end" not in found:
            start, end = _period(folded)
            if end:
                found["period_start"], found["period_end"] = start, end
            elif start and "period_start" not in found:
                found["period_start"] = start  # a month without its cut-off date: no end
        if len(found) == 5:
            break
    return found


def fold(text: str) -> str:
    """Upper case without accents, spaces collapsed: labels and months match however typed."""
    return re.sub(r"[ \t\u00a0]+", " ", fold_case_accents(text))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t\u00a0]+", " ", text)


def _bank(folded: str) -> str | None:
    hits = [(m.start(), name) for name, pattern in BANKS if (m := re.search(pattern, folded))]
    return min(hits)[1] if hits else None


def _clabe(folded: str) -> str | None:
    m = _CLABE.search(folded)
    if m:
        return re.sub(r"\D", "", m[1])
    # "Tu CLABE" over its value in a two-column row: the valid CLABE on the line below the label.
    lines = folded.split("\n")
    for index, line in enumerate(lines[:-1]):
        if "CLABE" in line:
            for grouped in _GROUPED_CLABE.finditer(lines[index + 1]):
                digits = re.sub(r"\D", "", grouped[0])
                if validate_clabe(digits):
                    return digits
    # No label: an 18-digit number is taken only if it is a valid CLABE, since statements are
    # full of long references that are not.
    return next((c for c in _BARE_CLABE.findall(folded) if validate_clabe(c)), None)


# --- holder -----------------------------------------------------------------------------------


def _holder(page: str) -> str | None:
    lines = [ln.strip() for ln in page.split("\n")]
    folded_lines = [fold(ln) for ln in lines]
    for i, folded in enumerate(folded_lines):
        for m in _HOLDER_LABEL.finditer(folded):
            name = _name_at(lines[i], m.end())
            if name is None and i + 1 < len(lines) and not folded[m.end() :].strip(" :"):
                name = _name_at(lines[i + 1], 0)
            if name is None and i + 1 < len(lines) and _next_column_label(folded[m.end() :]):
                name = _name_at(lines[i + 1], 0)  # two columns: "TITULAR PERIODO DEL ..." over the values
            if name:
                return name
    return _unlabelled_holder(lines)


def _name_at(line: str, offset: int) -> str | None:
    """The name-like run of words starting at `offset`, cut at the first word that belongs to a
    neighbouring label; None unless at least two words remain."""
    m = _NAME_CHARS.match(line, offset) if offset < len(line) else None
    if not m:
        return None
    words = []
    for word in m[0].replace(":", " ").split():
        if fold(word).strip(".,") in _STOP_WORDS:
            break
        words.append(word)
    name = " ".join(words).strip(" ,-'")
    if name.endswith(".") and "." not in name.rsplit(" ", 1)[-1][:-1]:
        name = name[:-1]  # a sentence's full stop, not an abbreviation's ("S.A. DE C.V." keeps it)
    letters = re.sub(r"[^A-Za-zÁÉÍÓÚÜÑáéíóúüñ]", "", name)
    return name if len(name.split()) >= 2 and len(letters) >= 4 else None


def _next_column_label(folded_rest: str) -> bool:
    """The rest of the label's line is the next column's label ("PERIODO DEL ...", "TU CLABE"),
    so the values sit on the line below."""
    words = folded_rest.replace(":", " ").split()[:2]
    return any(w.strip(".,") in _STOP_WORDS for w in words)


def _unlabelled_holder(lines: list[str]) -> str | None:
    """BBVA-style: a line of two to seven upper-case words right above an address line."""
    for line, following in pairwise(lines):
        folded = fold(line)
        words = folded.split()
        if not (2 <= len(words) <= 7) or line != line.upper():
            continue
        if not re.fullmatch(r"[A-Z.,&' -]+", folded) or any(w.strip(".,") in _HEADING_WORDS for w in words):
            continue
        if _ADDRESS_START.match(fold(following)) or re.search(r"\d", following):
            return " ".join(line.split())
    return None


# --- period -----------------------------------------------------------------------------------


def _period(folded: str) -> tuple[date | None, date | None]:
    """Start and end of the statement period. A range printed with a "PERIODO" label wins over
    any other range on the page; a month alone is closed by the cut-off date."""
    candidates = []
    for pattern, parse in ((_NUMERIC_RANGE, _numeric), (_ABBR_RANGE, _abbreviated), (_SPELLED_RANGE, _spelled)):
        for m in pattern.finditer(folded):
            start, end = parse(m)
            if start and end and start <= end:
                labelled = "PERIODO" in folded[max(0, m.start() - 40) : m.start()]
                candidates.append((not labelled, m.start(), start, end))
    if candidates:
        _, _, start, end = min(candidates)
        return start, end
    month_only = _MONTH_ONLY.search(folded)
    if month_only:
        return date(int(month_only[2]), MONTHS[month_only[1]], 1), _cutoff(folded)
    period = find_period(folded, years=(2000, 2100), folded=True)
    if period and period.start and period.end:
        return period.start, period.end
    start, end = _labelled_date(folded, _START_LABEL), _labelled_date(folded, _END_LABEL)
    if start and end and start <= end:
        return start, end
    return (period.start, period.end) if period else (None, None)


def _labelled_date(folded: str, label: re.Pattern) -> date | None:
    """The date in the label's cell: on its line, or on the next (the value sat below)."""
    for m in label.finditer(folded):
        line, _, after = folded[m.end() :].partition("\n")
        for window in (line, after.split("\n", 1)[0]):
            found = [d for d in find_dates(window, years=(2000, 2100), folded=True) if d.day_known]
            if found:
                return found[0].value
            if window.strip():
                break
    return None


def _cutoff(folded: str) -> date | None:
    for label in _CUTOFF.finditer(folded):
        rest = folded[label.end() : label.end() + 40]
        for pattern, parse in ((_NUM_DATE, _num_parts), (_ABBR_DATE, _abbr_parts), (_LONG_DATE, _abbr_parts)):
            m = re.match(pattern, rest)
            if m and (value := parse(m.groups())):
                return value
    return None


def _numeric(m: re.Match) -> tuple[date | None, date | None]:
    return _num_parts(m.groups()[:3]), _num_parts(m.groups()[3:])


def _abbreviated(m: re.Match) -> tuple[date | None, date | None]:
    return _abbr_parts(m.groups()[:3]), _abbr_parts(m.groups()[3:])


def _spelled(m: re.Match) -> tuple[date | None, date | None]:
    day1, month1, year1, day2, month2, year2 = m.groups()
    end = _safe(int(year2), MONTHS[month2], int(day2))
    if not end:
        return None, None
    start_month = MONTHS[month1] if month1 else end.month
    start_year = int(year1) if year1 else end.year - (1 if start_month > end.month else 0)
    return _safe(start_year, start_month, int(day1)), end


def _num_parts(parts) -> date | None:
    day, month, year = parts
    return _safe(int(year), int(month), int(day))


def _abbr_parts(parts) -> date | None:
    day, month, year = parts
    return _safe(int(year), MONTHS[month], int(day))


def _safe(year: int, month: int, day: int) -> date | None:
    if not (1900 <= year <= 2999 and 1 <= month <= 12) or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)
