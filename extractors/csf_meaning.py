"""A certificate's facts found by meaning, for the layouts that are not SAT's current one.

SAT's older vintages, reprints by accounting software and copies re-typed by other generators say
the same things in other words: "R.F.C.", "C.U.R.P.", "Nombre / Razón social", "Apellido Paterno",
"Situación del contribuyente", "Fecha de emisión: 2025-10-28", "Emitida el 26-OCT-2025", "C.P."
inside the address line, "Régimen(es) fiscal(es)" with "605 - Sueldos y Salarios". Each fact is
found by a vocabulary of its labels (extractors.labels), on the label's line or the next, and kept
only when it is what it claims to be: a CURP whose check digit verifies (and that agrees with the
RFC), a postal code SAT's c_CodigoPostal catalogue has (in the printed state, when one is
printed), a regime in c_RegimenFiscal, a status SAT uses, a calendar date. Anything else is "not
found", never a guess. `folded` arguments are extractors.dates.fold_text of the text."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache, partial

from satcfdi.catalogs import select, select_all

from domain.text import fold

from .dates import find_dates
from .ids import CURP_TOKEN, curp_candidates
from .labels import fold_label, label_regex, value_after

NAME_LABELS = (
    "Denominación/Razón Social",
    "Denominación o Razón Social",
    "Denominación",
    "Razón Social",
    "Nombre / Razón social",
    "Nombre o Razón Social",
    "Nombre del contribuyente",
    "Nombre completo",
    "Nombre del Contribuyente o Razón Social",
)
GIVEN_LABELS = ("Nombre (s)", "Nombre(s)", "Nombres")
FIRST_LABELS = ("Primer Apellido", "Apellido Paterno")
SECOND_LABELS = ("Segundo Apellido", "Apellido Materno")
CURP_LABELS = ("CURP", "C.U.R.P.", "Clave Única de Registro de Población")
POSTAL_LABELS = ("Código Postal", "C.P.", "CP", "Cod. Postal", "Cód. Postal")
STATUS_LABELS = (
    "Estatus en el padrón",
    "Situación en el padrón",
    "Situación del contribuyente",
    "Estatus del contribuyente",
    "Situación del RFC",
    "Estatus",
    "Situación",
)
ISSUE_LABELS = (
    "Fecha de emisión",
    "Fecha de expedición",
    "Emitida el",
    "Emitido el",
    "Emitida en",
    "Emitido en",
    "Lugar y fecha de emisión",
    "Fecha y lugar de emisión",
    "Expedida el",
)
ID_CIF_LABELS = ("idCIF", "ID CIF", "Id. CIF", "Identificador CIF", "lD CIF", "1D CIF")  # I read as l or 1
REGIME_HEADINGS = (
    "Regímenes",
    "Regímenes fiscales",
    "Regímenes fiscales vigentes",
    "Régimen(es) fiscal(es)",
    "Régimen(es)",
    "Régimen fiscal",
    "Régimen(es) fiscal(es) vigente(s)",
)
STATE_LABELS = ("Nombre de la Entidad Federativa", "Entidad Federativa")
# Every label a certificate prints: a value read after one ends where the next begins.
_OTHER_LABELS = (
    "RFC",
    "R.F.C.",
    "Primer Apellido",
    "Fecha inicio de operaciones",
    "Fecha de último cambio de estado",
    "Nombre Comercial",
    "Régimen Capital",
    "Tipo de Vialidad",
    "Nombre de Vialidad",
    "Número Exterior",
    "Número Interior",
    "Nombre de la Colonia",
    "Nombre de la Localidad",
    "Nombre del Municipio o Demarcación Territorial",
    "Nombre de la Entidad Federativa",
    "Entre Calle",
    "Y Calle",
    "Correo Electrónico",
    "Tel. Fijo Lada",
    "Tipo de persona",
    "Domicilio fiscal",
    "Lugar de emisión",
    "Calle",
    "No. Exterior",
    "Colonia",
    "Municipio o Delegación",
    "Entidad Federativa",
    "Id. CIF",
)
STOP = label_regex(
    tuple(
        dict.fromkeys(
            NAME_LABELS
            + GIVEN_LABELS
            + FIRST_LABELS
            + SECOND_LABELS
            + CURP_LABELS
            + POSTAL_LABELS
            + STATUS_LABELS
            + ISSUE_LABELS
            + ID_CIF_LABELS
            + _OTHER_LABELS
        )
    )
)
ID_CIF = label_regex(ID_CIF_LABELS)
STATUSES = ("REACTIVADO", "ACTIVO", "SUSPENDIDO", "CANCELADO", "NO LOCALIZADO", "INACTIVO", "BAJA")
_SECTION_END = re.compile(
    r"^\W*(?:OBLIGACIONES|DOMICILIO|ACTIVIDADES|SUS DATOS|CADENA ORIGINAL|SELLO|CONTACTO|DATOS DEL|DATOS DE|"
    r"CARACTERISTICAS|DOCUMENTO GENERADO)"
)
_REGIME_HEADER = re.compile(
    r"^\W*(?:CLAVE|REGIMEN|DESCRIPCION)(?:\W+(?:CLAVE|DESCRIPCION|FECHA|INICIO|FIN|DE|ALTA|BAJA))+\W*$"
)
_CODE = re.compile(r"^\W*(6\d\d)(?!\d)\W*")
_DATES = re.compile(r"\d{1,4}[/\-.](?:\d{1,2}|[A-Z]{3})[/\-.]\d{2,4}")
_LOOSE_CP = re.compile(r"C\.?\s?P\.?\s*:?(?=\s*\d{5}(?!\d))")
_SAT_FOOTER = re.compile(r"HIDALGO\s*77|ATENCION TELEFONICA|SAT\.GOB\.MX")
_NAME_VALUE = re.compile(r"^[A-ZÑ&.,' \-]+$")


@lru_cache(maxsize=1)
def regime_catalogue() -> dict[str, str]:
    """c_RegimenFiscal: code -> SAT's description."""
    return {str(code): str(name) for code, name in select_all("C756_c_RegimenFiscal").items()}


@lru_cache(maxsize=1)
def _catalogue_words() -> tuple[tuple[str, str], ...]:
    """(folded description without its "Régimen de" prefix, code), longest first: a description
    printed differently still contains SAT's words."""
    out = []
    for code, name in regime_catalogue().items():
        words = fold_label(name)
        words = re.sub(r"^(?:REGIMEN )?(?:DE |DEL )?(?:LAS |LOS )?", "", words)
        out.append((words, code))
    return tuple(sorted(out, key=lambda wc: len(wc[0]), reverse=True))


def regime_code_by_name(description: str) -> str | None:
    """The code whose catalogue description the printed one contains ("Régimen de Sueldos y
    Salarios e Ingresos Asimilados a Salarios" -> 605)."""
    folded = fold_label(description)
    for words, code in _catalogue_words():
        if words and words in folded:
            return code
    return None


def find_name(text: str, folded: str) -> str | None:
    value = value_after(folded, NAME_LABELS, STOP, original=text, accept=_is_name)
    if value:
        return _spaces(value)
    one_word = partial(_is_name, words=1)
    given = value_after(folded, GIVEN_LABELS, STOP, original=text, accept=one_word)
    if not given:
        return None
    parts = [given] + [
        value_after(folded, labels, STOP, original=text, accept=one_word) for labels in (FIRST_LABELS, SECOND_LABELS)
    ]
    present = [p for p in parts if p]
    return _spaces(" ".join(present)) if len(present) >= 2 else None


def _is_name(value: str | None, words: int = 2) -> bool:
    if not value or len(value) > 254:
        return False
    folded = fold(value)
    return bool(_NAME_VALUE.match(folded)) and len(folded.split()) >= words and sum(c.isalpha() for c in folded) >= 3


def _spaces(value: str) -> str:
    return " ".join(value.split())


def find_curp(text: str, folded: str, rfc: str | None, ocr: bool) -> str | None:
    """The CURP after its label, else the one CURP-shaped token in the text; kept when its check
    digit verifies and, for a person's RFC, its first ten characters are the RFC's."""
    labelled = value_after(folded, CURP_LABELS, STOP)
    readings = []
    if labelled:
        readings.append(re.sub(r"[^A-Z0-9]", "", labelled)[:19])
    readings += CURP_TOKEN.findall(folded)
    if ocr:
        # OCR may add a character ("MNLRRNO02"): every reading with one character dropped is
        # tried; a value is kept only when exactly one candidate verifies and agrees with the RFC.
        tried = [r for r in readings if len(r) == 18]
        tried += [r[:i] + r[i + 1 :] for r in readings if len(r) == 19 for i in range(19)]
        found = {c for r in dict.fromkeys(tried) for c in curp_candidates(r) if _agrees(c, rfc)}
        return found.pop() if len(found) == 1 else None
    for reading in readings:
        if len(reading) == 18 and reading in curp_candidates(reading) and _agrees(reading, rfc):
            return reading
    return None


def _agrees(curp: str, rfc: str | None) -> bool:
    return not rfc or len(rfc) != 13 or rfc[:10] == curp[:10]


def find_postal_code(folded: str) -> str | None:
    """Five digits after a postal-code label (also inside an address line: "..., C.P. 72000"),
    kept when SAT's c_CodigoPostal has them, in the printed state when the certificate names one."""
    state = value_after(folded, STATE_LABELS, STOP)
    labelled = list(label_regex(POSTAL_LABELS).finditer(folded))
    # OCR glues noise to the label ("CC.P. 44160"): a looser "C.P." is tried after the exact ones.
    for m in labelled + list(_LOOSE_CP.finditer(folded)):
        line_start = folded.rfind("\n", 0, m.start()) + 1
        if _SAT_FOOTER.search(folded, line_start, folded.find("\n", m.end()) % (len(folded) + 1)):
            continue  # SAT's own address in the page footer, not the taxpayer's
        digits = re.match(r"\s*(\d{5})(?!\d)", folded[m.end() : m.end() + 12])
        if digits and postal_code_in_state(digits[1], state):
            return digits[1]
    return None


def postal_code_in_state(code: str, state: str | None) -> bool:
    row = _postal_row(code)
    if not row or row[1] in ("", "000"):  # absent, or one of the catalogue's placeholders (00000, 99999)
        return False
    if not state:
        return True
    wanted = _state_codes(fold_label(state))
    return not wanted or row[0] in wanted or (row[0] == "CMX" and "DIF" in wanted)


@lru_cache(maxsize=4096)
def _postal_row(code: str):
    return select("C756_c_CodigoPostal", code)


@lru_cache(maxsize=64)
def _state_codes(state: str) -> frozenset[str]:
    aliases = {"CDMX": "CMX", "DF": "DIF", "D F": "DIF", "MEXICO": "MEX", "EDO DE MEX": "MEX"}
    codes = {code for alias, code in aliases.items() if state == alias}
    for code, (country, name) in select_all("C756_c_Estado").items():
        if country == "MEX" and fold_label(name) == state:
            codes.add(code)
    return frozenset(codes)


def find_status(folded: str) -> str | None:
    for m in label_regex(STATUS_LABELS).finditer(folded):
        value = folded[m.end() : m.end() + 40].split("\n", 1)[0]
        if not value.strip():  # the value's cell sat lower
            value = folded[m.end() : m.end() + 60].lstrip(" \n").split("\n", 1)[0]
        words = fold_label(value)
        for status in STATUSES:
            if words == status or words.startswith(status + " "):
                return status
    return None


def find_issue_date(folded: str) -> date | None:
    """The first full date within reach of an issue label ("Fecha de emisión: 2025-10-28",
    "EMITIDA EL 26-OCT-2025 EN ...", "Emitida en MONTERREY, NUEVO LEÓN el 27 de octubre de 2025")."""
    for m in label_regex(ISSUE_LABELS).finditer(folded):
        # The date may sit on the label's line or, below a place and OCR noise, up to three lines on.
        for line in folded[m.end() : m.end() + 160].split("\n")[:4]:
            found = [d for d in find_dates(line, years=(2000, 2100), folded=True) if d.day_known]
            if found:
                return found[0].value
    return None


def find_id_cif(folded: str) -> str | None:
    for m in ID_CIF.finditer(folded):
        digits = re.match(r"\s*(\d{6,15})(?!\d)", folded[m.end() : m.end() + 24])
        if digits:
            return digits[1]
    return None


def find_regimes(text: str, folded: str) -> tuple[list[str], list[str]]:
    """The rows under a regimes heading: a c_RegimenFiscal code at the row's start, or a
    description the catalogue recognises. A row with two dates (start and end) has ended and
    gives no code, as on SAT's own table."""
    lines = folded.split("\n")
    originals = text.split("\n") if len(text) == len(folded) else lines
    heading = label_regex(REGIME_HEADINGS)
    for index, line in enumerate(lines):
        m = heading.match(line.strip())
        if not m:
            continue
        rest = line.strip()[m.end() :]
        block = ([rest] if rest.strip() else []) + lines[index + 1 : index + 14]
        block_originals = ([rest] if rest.strip() else []) + originals[index + 1 : index + 14]
        descriptions, codes = _regime_rows(block, block_originals)
        if descriptions:
            return descriptions, codes
    return [], []


def _regime_rows(block: list[str], originals: list[str]) -> tuple[list[str], list[str]]:
    descriptions: list[str] = []
    codes: list[str] = []
    catalogue = regime_catalogue()
    for line, original in zip(block, originals, strict=True):
        stripped = line.strip()
        if not stripped or _REGIME_HEADER.match(stripped):
            continue
        if _SECTION_END.match(stripped):
            break
        dates = _DATES.findall(stripped)
        code_match = _CODE.match(stripped)
        code = code_match[1] if code_match and code_match[1] in catalogue else None
        description_at = code_match.end() if code and code_match else 0
        description = (
            _DATES.split(original.strip()[description_at:])[0].strip(" -•·*:\t")
            if len(original.strip()) == len(stripped)
            else _DATES.split(stripped[description_at:])[0].strip(" -•·*:\t")
        )
        code = code or regime_code_by_name(description)
        if not code:
            if descriptions:
                break  # the table ended
            continue
        descriptions.append(description or catalogue[code])
        if len(dates) < 2 and code not in codes:
            codes.append(code)
    return descriptions, codes
