"""Claim and reimbursement forms, medical reports, prescriptions, student certificates,
dependent declarations and care orders: the few facts completeness and cross-checks need."""

from __future__ import annotations

import re

from claim_intake.extractions import FormExtraction

from .content import DocumentContent
from .text import parse_date_es, value_after

PATIENT_LABELS = (
    "NOMBRE DEL PACIENTE", "PACIENTE", "NOMBRE DEL ASEGURADO AFECTADO", "ASEGURADO AFECTADO",
    "NOMBRE DEL ALUMNO", "ALUMNO", "ALUMNA", "NOMBRE DEL DEPENDIENTE",
)
DATE_LABELS = ("FECHA DE EMISION", "FECHA DE LA CONSULTA", "FECHA DE ATENCION", "FECHA")
_SIGNATURE_LABEL = re.compile(r"^\s*FIRMA[^:\n]*:[ \t]*(.*)$", re.M)
_DIGITAL_SIGNATURE = "FIRMADO DIGITALMENTE"
_CLABE = re.compile(r"CLABE[^:\n]*:\s*((?:\d[ \t]?){18})")
_ACCOUNT = re.compile(r"\bCUENTA\s*:\s*([A-Z0-9\-]{4,32})")


def extract_form(kind: str, content: DocumentContent) -> FormExtraction:
    folded = content.folded
    return FormExtraction(
        kind=kind,
        title=_title(folded),
        patient_name=_first_value(PATIENT_LABELS, folded),
        document_date=_date(folded),
        signed=_signed(folded),
        clabe=_clabe(folded),
        care_order_account=_account(folded) if kind == "care_order" else None,
        text=content.text_info,
    )


def _title(folded: str) -> str | None:
    for line in folded.splitlines():
        line = line.strip()
        if len(line) >= 6:
            return line[:120]
    return None


def _first_value(labels: tuple[str, ...], folded: str) -> str | None:
    for label in labels:
        value = value_after(re.escape(label), folded)
        if value:
            return value
    return None


def _date(folded: str):
    for label in DATE_LABELS:
        value = value_after(re.escape(label), folded)
        if value and (parsed := parse_date_es(value)):
            return parsed
    return None


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
