"""Claim and reimbursement forms, medical reports, prescriptions, student certificates,
dependent declarations and care orders: the few facts completeness and cross-checks need.

Read by meaning, not by one layout: the patient (or student, or dependent) is found after any
wording of its label, on the label's line or in the cell under it, or in the sentence a free
letter writes ("yo, Valeria Ramírez, ... soy soltera", "mi hijo Daniel Ruiz Soto, de 22 años",
"hace constar que la C. Mariana Leal"); what is taken must look like a person's name (two or
more capitalised words, no digits, no other label), else the field stays None. The document's
date is the one its label names (emission, prescription, discharge...), never a birth or
admission date; unlabelled, the date of a "Ciudad, a 14 de octubre de 2026" line or the latest
date printed."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from itertools import pairwise
from typing import cast

from domain.extractions import FormExtraction, FormKind

from .content import DocumentContent
from .dates import MONTHS, find_dates, fold_text, make_date
from .labels import label_regex

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

# Label wordings per kind, most specific first; COMMON_PATIENT after the kind's own ones.
KIND_PATIENT_LABELS: dict[str, tuple[str, ...]] = {
    "student_certificate": (
        "NOMBRE DEL ALUMNO",
        "NOMBRE DE LA ALUMNA",
        "NOMBRE DEL (LA) ALUMNO (A)",
        "NOMBRE DEL ESTUDIANTE",
        "NOMBRE DE LA ESTUDIANTE",
        "NOMBRE COMPLETO DEL ALUMNO",
        "NOMBRE COMPLETO DEL ESTUDIANTE",
        "ALUMNO",
        "ALUMNA",
        "ESTUDIANTE",
    ),
    "dependent_declaration": (
        "NOMBRE COMPLETO DEL DEPENDIENTE",
        "NOMBRE DEL DEPENDIENTE ECONOMICO",
        "NOMBRE DEL DEPENDIENTE",
        "NOMBRE DEL HIJO",
        "NOMBRE DE LA HIJA",
        "NOMBRE DEL HIJO (A)",
        "NOMBRE DEL BENEFICIARIO",
        "DEPENDIENTE ECONOMICO",
        "DEPENDIENTE",
        "NOMBRE DEL DECLARANTE",
    ),
}
COMMON_PATIENT_LABELS = (
    "NOMBRE DEL PACIENTE",
    "NOMBRE DE LA PACIENTE",
    "NOMBRE DEL (LA) PACIENTE",
    "NOMBRE COMPLETO DEL PACIENTE",
    "NOMBRE DEL DERECHOHABIENTE",
    "NOMBRE DEL ASEGURADO AFECTADO",
    "ASEGURADO AFECTADO",
    "DERECHOHABIENTE",
    "PACIENTE",
    "PATIENT NAME",
    "PATIENT",
    "SR (A)",
    "SENOR (A)",
)
# A bare "Nombre:" is the patient's on a prescription or report (the doctor's is in the header).
_BARE_NAME = re.compile(r"(?<![A-Z])(?:NOMBRE|NAME)\s*:")

# Free letters name the person in a sentence; the group ends where the name starts.
_DEPENDENT_PHRASE = re.compile(
    r"\bmi\s+(?:hij[oa](?:\s*\(\s*a\s*\))?|dependiente(?:\s+econ[oó]mic[oa])?|menor\s+hij[oa])\s*,?\s*"
    r"(?:(?:el|la)\s+)?(?:joven\s+|c\.\s*)?",
    re.I,
)
_SELF_PHRASE = re.compile(r"\b(?:yo|el\s+que\s+suscribe|la\s+que\s+suscribe|quien\s+suscribe)\s*,?\s+", re.I)
_SELF_SINGLE = re.compile(r"\b(?:soy\s+solter[oa]|dependo\s+econ[oó]micamente|mi\s+estado\s+civil\s+es\s+solter)", re.I)
_STUDENT_PHRASE = re.compile(
    r"\bhace\s+constar\s+que\s+(?:(?:el|la)\s+)?(?:(?:c\.|alumn[oa]|estudiante|joven|srita\.?|sr\.?)\s*)?", re.I
)

PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "VAN", "VON", "DA", "DI", "SAN"})
# Words that end a name: other labels printed on the same line, and words of sentences.
NOT_NAME = frozenset(
    {
        "EDAD",
        "SEXO",
        "NSS",
        "EXPEDIENTE",
        "NUMERO",
        "NO",
        "NUM",
        "FECHA",
        "CURP",
        "RFC",
        "MATRICULA",
        "FOLIO",
        "POLIZA",
        "GENERO",
        "PESO",
        "TALLA",
        "AGE",
        "SEX",
        "DATE",
        "DOB",
        "CAMA",
        "HABITACION",
        "SERVICIO",
        "TEL",
        "TELEFONO",
        "DOMICILIO",
        "CEDULA",
        "FIRMA",
        "PARENTESCO",
        "ESTADO",
        "CIVIL",
        "MASCULINO",
        "FEMENINO",
        "CON",
        "QUE",
        "QUIEN",
        "ES",
        "SE",
        "EN",
        "POR",
        "PARA",
        "EL",
        "AL",
        "TITULAR",
        "ASEGURADO",
        "ASEGURADA",
        "PACIENTE",
        "ALUMNO",
        "ALUMNA",
        "ESTUDIANTE",
        "AFILIACION",
        "UNIDAD",
        "CONSULTORIO",
        "MEDICO",
        "OCUPACION",
        "ID",
        "DIAGNOSTICO",
        "NOMBRE",
        "COMPLETO",
        "DATOS",
        "HIJO",
        "HIJA",
        "GRADO",
        "GRUPO",
        "CICLO",
        "CARRERA",
        "SEMESTRE",
        "ESCOLAR",
        "SOLTERO",
        "SOLTERA",
        "DECLARO",
        "MANIFIESTO",
        "TIENE",
        "ESTA",
        "AGREGADO",
        "ANOS",
        "MESES",
        "PRESENTE",
        "HOSPITAL",
        "CLINICA",
        "SEGURO",
        "SEGUROS",
        "EDO",
        "TURNO",
        "ACCOUNT",
    }
)
TITLES = frozenset(
    {
        "C",
        "SR",
        "SRA",
        "SRTA",
        "SRITA",
        "DR",
        "DRA",
        "LIC",
        "ING",
        "MTRO",
        "MTRA",
        "PROF",
        "JOVEN",
        "NINO",
        "NINA",
        "MENOR",
        "MR",
        "MRS",
        "MS",
    }
)
_LEADERS = frozenset("—–-_|:.,;»>)]")
_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’\-]*\.?|\S")  # letters of any script: a name is never cut mid-word

# Document-date context: preferred labels, plain ones, and dates that are never the document's.
_PREFERRED = re.compile(
    r"EMISION|EXPEDICION|EXPEDIDA|ELABORACION|INFORME|DECLARACION|RECETA|CONSULTA|ATENCION|EGRESO|ALTA\b|"
    r"IMPRESION|EXTIENDE|ISSUE|INVOICE|STATEMENT|FACTURA|RECHNUNG|BILLING|RECEIPT|BOLETA"
)
_EXCLUDED = re.compile(
    r"NACIMIENTO|\bNAC\b|INGRESO|INICIO|VIGENCIA|VENCE|VENCIMIENTO|CORTE|ULTIMA|PROXIMA|CITA|BIRTH|DOB|"
    r"DUE|SINTOMAS|ACCIDENTE|CIRUGIA PROGRAMADA"
)
_DAYS_OF_MONTH = re.compile(r"(\d{1,2})\s+DIAS?\s+DEL\s+MES\s+DE\s+([A-Z]+)\s+(?:DE|DEL)\s+(\d{4})")
DOCUMENT_YEARS = (1990, 2100)

_SIGNATURE_LABEL = re.compile(r"^\s*FIRMA[^:\n]*:[ \t]*(.*)$", re.M)
_DIGITAL_SIGNATURE = "FIRMADO DIGITALMENTE"
_CLABE = re.compile(r"CLABE[^:\n]*:\s*((?:\d[ \t]?){18})")
_ACCOUNT = re.compile(r"\bCUENTA\s*:\s*([A-Z0-9\-]{4,32})")


def extract_form(kind: str, content: DocumentContent) -> FormExtraction:
    folded = content.folded
    return FormExtraction(
        kind=cast(FormKind, kind),  # one of the form kinds: extractors/__init__.py routes only those here
        title=_title(folded),
        patient_name=patient_name(kind, content.text),
        document_date=document_date(folded, folded=True),
        signed=_signed(folded),
        clabe=_clabe(folded),
        care_order_account=_account(folded) if kind == "care_order" else None,
        text=content.text_info,
    )


def strip_accents(text: str) -> str:
    """Accents dropped, case kept: the case tells a name ("Daniel Ruiz") from a sentence."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _title(folded: str) -> str | None:
    for line in folded.splitlines():
        line = line.strip()
        if len(line) >= 6:
            return line[:120]
    return None


# --- the person the document is about -------------------------------------------------------


def patient_name(kind: str, text: str) -> str | None:
    """The kind's own labels, then the sentence of a free letter, then any patient label, then a
    bare "Nombre:"."""
    plain = strip_accents(text)
    lines = [line for line in plain.splitlines() if line.strip()]
    own = KIND_PATIENT_LABELS.get(kind)
    return (
        (own and _labelled_name(lines, own))
        or _name_in_sentences(kind, plain)
        or _labelled_name(lines, COMMON_PATIENT_LABELS)
        or _bare_name(lines)
    )


def _labelled_name(lines: list[str], variants: tuple[str, ...]) -> str | None:
    pattern = label_regex(variants)
    for index, line in enumerate(lines):
        upper = line.upper()
        if len(upper) != len(line):
            continue
        for m in pattern.finditer(upper):
            name = name_at(line, m.end())
            if name is None and index + 1 < len(lines) and _only_labels(line[m.end() :]):
                name = name_at(lines[index + 1], 0)  # the value sits in the cell under its caption
            if name:
                return name
    return None


def _only_labels(rest: str) -> bool:
    """The rest of a caption row: nothing, or other captions in capitals (a sentence such as
    "Paciente con cuadro de..." is not a caption, and its next line is not its value)."""
    words = re.findall(r"[A-Za-z]+", rest)
    return all(w.isupper() or w.upper() in PARTICLES or w.upper() in NOT_NAME for w in words)


def _name_in_sentences(kind: str, plain: str) -> str | None:
    text = " ".join(plain.split())
    phrases = []
    if kind == "dependent_declaration":
        phrases.append(_DEPENDENT_PHRASE)
        if _SELF_SINGLE.search(text):
            phrases.append(_SELF_PHRASE)
    elif kind == "student_certificate":
        phrases.append(_STUDENT_PHRASE)
    for phrase in phrases:
        for m in phrase.finditer(text):
            if name := name_at(text, m.end()):
                return name
    return None


def _bare_name(lines: list[str]) -> str | None:
    for line in lines:
        upper = line.upper()
        if len(upper) == len(line) and (m := _BARE_NAME.search(upper)) and (name := name_at(line, m.end())):
            return name
    return None


def name_at(text: str, start: int) -> str | None:
    """The person's name that starts at `start` (titles such as "C." or "Dr." skipped), upper
    case; None unless it has two to six name words and nothing that is not a name."""
    words: list[str] = []
    for m in _TOKEN.finditer(text, start):
        token = m[0]
        if not words and token in _LEADERS:
            continue  # "Nombre: — Santiago", "Paciente: | Ana"
        if not token[0].isalpha():
            break
        word = token.rstrip(".").upper()
        if not words and word in TITLES:
            continue
        followed_by_colon = text[m.end() : m.end() + 2].lstrip().startswith(":")
        if word in NOT_NAME or followed_by_colon:
            break
        if token[0].islower() and word not in PARTICLES:
            break
        words.append(word)
        if token.endswith(".") and len(word) > 1:
            break  # the sentence ended
        if len(words) > 9:
            return None
    while words and words[-1] in PARTICLES:
        words.pop()
    if not 2 <= sum(w not in PARTICLES for w in words) <= 6:
        return None
    return " ".join(words)


# --- the document's date --------------------------------------------------------------------


def document_date(text: str, *, month_first: bool = False, folded: bool = False) -> date | None:
    """The date the document was issued: the best-labelled date (emission, prescription,
    discharge... over a plain "Fecha"), then a "lugar, a <fecha>" line, then the latest date
    printed that no excluded label (birth, admission, onset, due) claims. `month_first` reads
    "10/05/2026" as October 5 (US documents). folded=True: `text` is already fold_text's output
    (DocumentContent.folded), not folded again."""
    source = text if folded else fold_text(text)
    best: tuple[int, int, date] | None = None
    for start, value in _candidates(source, month_first):
        score = _date_score(source, start)
        if score is None:
            continue
        key = (score, -start if score >= 2 else value.toordinal())
        if best is None or key > best[:2]:
            best = (*key, value)
    return best[2] if best else None


_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")


def _candidates(folded: str, month_first: bool) -> list[tuple[int, date]]:
    found = []
    for d in find_dates(folded, years=DOCUMENT_YEARS, month_first_fallback=True, folded=True):
        if not d.day_known:
            continue
        value = d.value
        if month_first and (m := _NUMERIC.fullmatch(folded[d.start : d.end])):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            value = make_date(year, int(m[1]), int(m[2]), DOCUMENT_YEARS) or value
        found.append((d.start, value))
    for m in _DAYS_OF_MONTH.finditer(folded):  # "a los 5 días del mes de noviembre de 2026"
        month = MONTHS.get(m[2])
        if month and (day := make_date(int(m[3]), month, int(m[1]), DOCUMENT_YEARS)):
            found.append((m.start(), day))
    return found


_DATE_TEXT = re.compile(
    r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}\s+(?:DE\s+)?[A-Z]{3,10}\.?\s+(?:DE\s+|DEL\s+)?\d{4}"
)
_LABEL_START = re.compile(
    r"(?:(?:INVOICE|STATEMENT|ISSUE|BILLING|SERVICE|DUE|BIRTH|RECEIPT)\s+)?(?:FECHA|DATE|DATUM)|LUGAR Y FECHA|\bA LOS\b"
)


def _date_score(folded: str, start: int) -> int | None:
    """3 for a preferred label, 2 for a plain date label or a place-and-date sentence, 1 for an
    unlabelled date, None for a date that an excluded label claims. The label is on the date's
    line before it or, when that holds none (a row of values under a row of captions), the
    caption in the same column order on the line above."""
    line_start = folded.rfind("\n", 0, start) + 1
    before = folded[line_start:start]
    own = re.split(_DATE_TEXT, before)[-1]
    labels = [m.start() for m in _LABEL_START.finditer(own)]
    if labels:
        label = own[labels[-1] :]
    elif re.search(r"(?:^|,)\s*A\s*$", own):
        return 2  # "Guadalajara, Jalisco, a 14 de octubre de 2026"
    else:
        if _EXCLUDED.search(own[-40:]):
            return None
        previous = folded[folded.rfind("\n", 0, max(line_start - 1, 0)) + 1 : max(line_start - 1, 0)]
        starts = [m.start() for m in _LABEL_START.finditer(previous)]
        segments = [previous[a:b] for a, b in pairwise([*starts, len(previous)])]
        column = len(_DATE_TEXT.findall(before))
        if not segments:
            return 1
        label = segments[min(column, len(segments) - 1)]
    if _EXCLUDED.search(label):
        return None
    if _PREFERRED.search(label):
        return 3
    return 2


# --- signature, account ---------------------------------------------------------------------


def _signed(folded: str) -> bool | None:
    """True when a signature line carries something or the form says it was signed digitally;
    False when there is a signature line left blank; None when the document has no signature
    area at all."""
    if _DIGITAL_SIGNATURE in folded:
        return True
    lines = _SIGNATURE_LABEL.findall(folded)
    if not lines:
        return None
    return any(value.strip(" _.-") for value in lines)


def _clabe(folded: str) -> str | None:
    m = _CLABE.search(folded)
    return re.sub(r"\s", "", m[1]) if m else None


def _account(folded: str) -> str | None:
    m = _ACCOUNT.search(folded)
    return m[1] if m else None
