"""A doctor's prescription, required with pharmacy invoices."""

from __future__ import annotations

from domain.extractions import FormExtraction
from domain.kinds import DocumentKind

from ..content import DocumentContent
from ..forms import extract_form
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("RECETA MEDICA", 6),
    Signal("RECETA", 4),
    Signal("RP/", 2),
    Signal("INDICACIONES", 1),
    Signal("TOMAR ", 1),
    # IMSS's individual prescription, a doctor's letterhead with "Rx" and dosages, a pharmacy's.
    Signal("RECETA INDIVIDUAL", 6),
    Signal("\nRX\n", 3),
    Signal("\nRP.", 3),
    Signal("MEDICAMENTO", 1),
    Signal("CED. PROF", 1),
    Signal("TABLETA", 1),
    Signal("CADA 8 HORAS", 2),
    Signal("CADA 12 HORAS", 2),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.PRESCRIPTION.value, content), None


KIND = KindSpec(DocumentKind.PRESCRIPTION, read, signals=SIGNALS)
