"""Constancia de Situación Fiscal: from the text of SAT's printout to a CsfExtraction.

SAT's layout is stable ("Datos de Identificación del Contribuyente:", "Regímenes:", "Lugar y
Fecha de Emisión"), but the text comes from pypdfium2 or OCR: accents may be lost, label and
value may share a line with the next label ("Código Postal:06600 Tipo de Vialidad: CALLE"), and
spacing varies. So every label is matched accent- and space-tolerantly and every value is cut at
the next known label. Nothing here decides whether the certificate is acceptable."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache, lru_cache
from typing import Any

from domain.extractions import CsfExtraction
from domain.text import fold as fold_case_accents

from . import csf_meaning as meaning
from .content import DocumentContent
from .dates import fold_text
from .ids import CURP_TOKEN, RFC_TOKEN, correct_curp, correct_rfc
from .layout import visual_pages
from .qr import csf_qr
from .sniff import PDF

MONTHS = {
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
}
# Every label of the identification and address tables: a value ends where the next one starts.
LABELS = (
    "RFC:",
    "CURP:",
    "Nombre (s):",
    "Primer Apellido:",
    "Segundo Apellido:",
    "Fecha inicio de operaciones:",
    "Estatus en el padrón:",
    "Fecha de último cambio de estado:",
    "Nombre Comercial:",
    "Denominación/Razón Social:",
    "Régimen Capital:",
    "Código Postal:",
    "Tipo de Vialidad:",
    "Nombre de Vialidad:",
    "Número Exterior:",
    "Número Interior:",
    "Nombre de la Colonia:",
    "Nombre de la Localidad:",
    "Nombre del Municipio o Demarcación Territorial:",
    "Nombre de la Entidad Federativa:",
    "Entre Calle:",
    "Y Calle:",
    "idCIF:",
    "Correo Electrónico:",
    "Tel. Fijo Lada:",
)
# c_RegimenFiscal by words of the description SAT prints; the first match wins, so the more
# specific descriptions come first (625 also says "Actividades Empresariales").
REGIME_CODES = (
    ("PLATAFORMAS TECNOLOGICAS", "625"),
    ("SIMPLIFICADO DE CONFIANZA", "626"),
    ("SUELDOS Y SALARIOS", "605"),
    ("ACTIVIDADES EMPRESARIALES Y PROFESIONALES", "612"),
    ("ARRENDAMIENTO", "606"),
    ("ENAJENACION", "607"),
    ("DEMAS INGRESOS", "608"),
    ("RESIDENTES EN EL EXTRANJERO", "610"),
    ("DIVIDENDOS", "611"),
    ("INTERESES", "614"),
    ("PREMIOS", "615"),
    ("SIN OBLIGACIONES FISCALES", "616"),
    ("COOPERATIVAS DE PRODUCCION", "620"),
    ("INCORPORACION FISCAL", "621"),
    ("AGRICOLAS", "622"),
    ("GRUPOS DE SOCIEDADES", "623"),
    ("COORDINADOS", "624"),
    ("GENERAL DE LEY", "601"),
    ("FINES NO LUCRATIVOS", "603"),
)

_ACCENTS = {"a": "aá", "e": "eé", "i": "ií", "o": "oó", "u": "uúü", "n": "nñ"}
_RFC = r"[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}"
_CURP = r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d"
_DATE = r"(\d{2})/(\d{2})/(\d{4})"
_CONNECTORS = {"Y", "E", "DE", "DEL", "LA", "LAS", "LOS", "CON", "POR", "A", "EN", "PARA", "SIN"}


def fold(text: str) -> str:
    """Upper case without accents, for comparing words (never for values we hand back)."""
    return fold_case_accents(text)


@lru_cache(maxsize=256)
def label_pattern(label: str) -> str:
    """A regex for a printed label that survives lost accents, case and spacing changes."""
    out = []
    for char in label:
        base = fold(char).lower() if char.isalpha() else char
        if char.isspace():
            out.append(r"[ \t]*")
        elif base in _ACCENTS:
            out.append(f"[{_ACCENTS[base]}]")
        elif char.isalpha():
            out.append(re.escape(char))
        else:
            out.append(rf"[ \t]*{re.escape(char)}[ \t]*" if char in "():/" else re.escape(char))
    return "".join(out)


_STOP = re.compile("|".join(label_pattern(label) for label in LABELS), re.IGNORECASE)
# The date part of "CUAUHTEMOC , CIUDAD DE MEXICO A 15 DE NOVIEMBRE DE 2026"; the place is the
# rest of its line, taken by hand (_issue_matches): a lazy "place" group in front made the search
# try every position of every line, 2.6 ms per certificate.
_ISSUE_DATE = re.compile(
    r"\s+A\s+(?P<day>\d{1,2})\s+DE\s+(?P<month>[A-Za-zÁÉÍÓÚáéíóú]+)\s+DEL?\s+(?P<year>\d{4})[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SECTION = re.compile(
    "|".join(
        label_pattern(s)
        for s in (
            "Datos de Identificación",
            "Datos del domicilio",
            "Actividades Económicas",
            "Regímenes",
            "Obligaciones",
            "Sus datos personales",
            "Cadena Original",
            "Sello Digital",
            "Contacto",
        )
    ),
    re.IGNORECASE,
)
# Footer and header lines that fall inside a table continued on the next page.
_PAGE_FURNITURE = re.compile(
    r"^(?:Contacto$|Av\. Hidalgo|Atenci[oó]n telef[oó]nica|P[aá]gina\s*\[?\d)|P[aá]gina\s*\[?\d+\]?\s*de\s*\[?\d+\]?\s*$",
    re.IGNORECASE,
)
_CURP_WORD = re.compile(r"C\.?\s?U\.?\s?R\.?\s?P|CLAVE\s+[UÚ]NICA", re.IGNORECASE)
_ISSUE_LABEL = re.compile(label_pattern("Lugar y Fecha de Emisión") + r"\s*:?\s*", re.IGNORECASE)


REQUIRED = ("rfc", "name", "postal_code", "regimes", "issued_on", "status")  # CSF-005's list


def extract_csf(content: DocumentContent) -> CsfExtraction:
    """SAT's layout first (its exact labels), then the same facts found by meaning: any wording of
    each label, on the same line or the next, values checked by what they are. A PDF whose text
    layer still lacks a required field is read again in visual order (labels and values drawn as
    separate columns), which fills only what is missing."""
    text = _clean(content.text)
    found = _read(text, content)
    if not content.text_info.ocr and content.media_type == PDF and any(not found.get(f) for f in REQUIRED):
        visual = _clean("\n".join(visual_pages(content.data)))
        if visual.strip():
            for key, value in _read(visual, content, qr_allowed=False).items():
                if not found.get(key) and value:
                    found[key] = value
    return CsfExtraction(**found, text=content.text_info)


def _read(text: str, content: DocumentContent, *, qr_allowed: bool = True) -> dict[str, Any]:
    folded = cache(lambda: fold_text(text))  # only the fallbacks by meaning need it: SAT's layout does not
    issued_on, place = _issue(text)
    if issued_on is None:
        issued_on = meaning.find_issue_date(folded())
    descriptions, codes = _regimes(text)
    if not descriptions:
        descriptions, codes = meaning.find_regimes(text, folded())
    ocr = content.text_info.ocr
    # A text layer is exact: its RFC needs no QR (rendering and decoding the page costs ~10 ms);
    # OCR'd text, or a text layer without an RFC, is checked against the QR.
    text_rfc = (
        None if ocr else (_match_after(text, "RFC:", _RFC) or _first(text, rf"(?<![A-Z0-9Ñ&]){_RFC}(?![A-Z0-9])"))
    )
    want_qr = qr_allowed and bool(content.data) and not text_rfc
    qr = csf_qr(content.data, content.media_type) if want_qr else None
    if ocr:
        rfc, curp = _ocr_rfc(text, qr), correct_curp(_readings(text, "CURP:", CURP_TOKEN))
    else:  # an RFC that fails its check digit is CSF-006's to judge, not corrected here
        rfc = text_rfc or (qr.rfc if qr else None)
        curp = _match_after(text, "CURP:", _CURP)
    # A persona moral (12-character RFC) has no CURP; a text layer that never names one has none.
    if not curp and (not rfc or len(rfc) != 12) and (ocr or _CURP_WORD.search(text)):
        curp = meaning.find_curp(text, folded(), rfc, ocr)
    id_cif = (
        (qr.id_cif if qr and ocr else None)
        or _match_after(text, "idCIF:", r"\d{6,15}")
        or meaning.find_id_cif(folded())
    )
    return {
        "rfc": rfc,
        "curp": curp,
        "name": _name(text) or meaning.find_name(text, folded()),
        "postal_code": _match_after(text, "Código Postal:", r"\d{5}") or meaning.find_postal_code(folded()),
        "regimes": descriptions,
        "regime_codes": codes,
        "status": _status(text) or meaning.find_status(folded()),
        "issued_on": issued_on,
        "issue_place": place,
        "id_cif": id_cif or (qr.id_cif if qr else None),
    }


def _readings(text: str, label: str, token: re.Pattern) -> list[str]:
    """What OCR printed where an RFC or CURP should be: after its label and anywhere as a token."""
    readings = []
    value = _value(text, label)
    if value:
        readings.append(value.upper().replace(" ", "")[: 18 if token is CURP_TOKEN else 13])
    readings += token.findall(text.upper())
    return [r for r in dict.fromkeys(readings) if r]


def _ocr_rfc(text: str, qr) -> str | None:
    """An OCR'd RFC is kept only when its check digit verifies after undoing the usual
    misreads, or when the QR's exact reading confirms it."""
    readings = [r for r in _readings(text, "RFC:", RFC_TOKEN) if len(r) in (12, 13)]
    return correct_rfc(readings, qr.rfc if qr else None)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t\u00a0]+", " ", text)


def _value(text: str, label: str) -> str | None:
    """The value printed after `label` on its line, up to the next known label; or, when the
    line ends at the label (the value's cell sat lower), the next line if it is a bare value."""
    for m in re.finditer(label_pattern(label), text, re.IGNORECASE):
        line, _, after = text[m.end() :].partition("\n")
        stop = _STOP.search(line)
        value = (line[: stop.start()] if stop else line).strip(" :")
        if not value and not stop:
            following = after.split("\n", 1)[0].strip()
            if following and ":" not in following and not _SECTION.match(following):
                value = following
        if value:
            return value
    return None


def _match_after(text: str, label: str, pattern: str) -> str | None:
    value = _value(text, label)
    m = re.match(rf"({pattern})(?![A-Z0-9])", value.upper().replace(" ", "")) if value else None
    return m[1] if m else None


def _first(text: str, pattern: str) -> str | None:
    m = re.search(pattern, text)
    return m[0] if m else None


def _name(text: str) -> str | None:
    moral = _value(text, "Denominación/Razón Social:")
    if moral:
        return _spaces(moral)
    given = _value(text, "Nombre (s):")
    if given:
        parts = [given, _value(text, "Primer Apellido:"), _value(text, "Segundo Apellido:")]
        return _spaces(" ".join(p for p in parts if p))
    return _cedula_name(text)


def _cedula_name(text: str) -> str | None:
    """The name in the cédula box: the lines between the RFC's caption and the name's caption."""
    m = re.search(
        label_pattern("Registro Federal de Contribuyentes")
        + r"\s*\n(?P<name>.*?)\n\s*"
        + label_pattern("Nombre, denominación o razón social"),
        text,
        re.IGNORECASE | re.DOTALL,
    )
    if not m:
        return None
    name = _spaces(m["name"].replace("\n", " "))
    return name if name and len(name) <= 254 and ":" not in name else None


def _spaces(value: str) -> str:
    return " ".join(value.split())


def _status(text: str) -> str | None:
    value = _value(text, "Estatus en el padrón:")
    return _spaces(value).upper() if value else None


def _issue(text: str) -> tuple[date | None, str | None]:
    """Issue date and place from "Lugar y Fecha de Emisión", preferring the line right after the
    label; SAT writes "CUAUHTEMOC , CIUDAD DE MEXICO A 15 DE NOVIEMBRE DE 2026"."""
    label = _ISSUE_LABEL.search(text)
    candidates = _issue_matches(text, label.start() if label else 0)
    if label and not candidates:
        candidates = _issue_matches(text, 0)
    for place, m in candidates:
        month = MONTHS.get(fold(m["month"]))
        if not month:
            continue
        try:
            issued = date(int(m["year"]), month, int(m["day"]))
        except ValueError:
            continue
        place = _ISSUE_LABEL.sub("", place).strip()
        return issued, (_spaces(place) or None)
    return None, None


def _issue_matches(text: str, start: int) -> list[tuple[str, re.Match]]:
    """(place, date match) from `start` on: the place is the line text before the date, which
    may sit on the next line ("\\s+" spans it)."""
    out = []
    for m in _ISSUE_DATE.finditer(text, start):
        line_start = max(start, text.rfind("\n", 0, m.start()) + 1)
        out.append((text[line_start : m.start()], m))
    return out


def _regimes(text: str) -> tuple[list[str], list[str]]:
    """The rows of the "Regímenes:" table: description, start date, optional end date. A long
    description may wrap; a line without dates continues the previous row when it starts in
    lower case or the previous row ends in a connector, otherwise it opens the next row."""
    start = re.search(label_pattern("Regímenes:"), text, re.IGNORECASE)
    if not start:
        return [], []
    block = text[start.end() :]
    end = re.search(
        "|".join(
            label_pattern(s)
            for s in ("Obligaciones:", "Sus datos personales", "Cadena Original Sello", "Actividades Económicas:")
        ),
        block,
        re.IGNORECASE,
    )
    block = block[: end.start()] if end else block
    header = re.compile(r"^\s*" + label_pattern("Régimen Fecha Inicio Fecha Fin") + r"\s*$", re.IGNORECASE)
    rows: list[list] = []  # [description, ended]
    pending: list[str] = []
    for line in (ln.strip() for ln in block.split("\n")):
        if not line or header.match(line) or _PAGE_FURNITURE.search(line):
            continue
        dates = list(re.finditer(_DATE, line))
        if dates:
            description = _spaces(" ".join(pending + [line[: dates[0].start()]]))
            pending = []
            if description:
                rows.append([description, len(dates) > 1])
            continue
        last = rows[-1][0] if rows else ""
        if last and (line[0].islower() or fold(last.split()[-1]) in _CONNECTORS) and not pending:
            rows[-1][0] = f"{last} {line}"
        else:
            pending.append(line)
    descriptions = [row[0] for row in rows]
    codes = [code for description, ended in rows if not ended and (code := regime_code(description))]
    return descriptions, codes


def regime_code(description: str) -> str | None:
    """The c_RegimenFiscal code of a regime as SAT describes it on the certificate."""
    folded = " ".join(re.sub(r"[^A-Z ]", " ", fold(description)).split())
    for words, code in REGIME_CODES:
        if words in folded:
            return code
    return None
