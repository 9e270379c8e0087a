"""The treating doctor's report (IMSS, ISSSTE and private hospitals title it differently)."""

from __future__ import annotations

from domain.extractions import FormExtraction
from domain.kinds import DocumentKind

from ..content import DocumentContent
from ..forms import extract_form
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("INFORME MEDICO", 6),
    Signal("DIAGNOSTICO", 2),
    Signal("CEDULA PROFESIONAL", 1),
    Signal("PADECIMIENTO", 2),
    Signal("TRATAMIENTO", 1),
    Signal("EXPLORACION FISICA", 2),
    # IMSS, ISSSTE and private hospitals' titles for the same document.
    Signal("NOTA DE EGRESO", 6),
    Signal("RESUMEN CLINICO", 6),
    Signal("RESUMEN DE ALTA", 6),
    Signal("NOTA MEDICA", 5),
    Signal("ALTA HOSPITALARIA", 4),
    Signal("HISTORIA CLINICA", 2),
    Signal("MEDICAL REPORT", 6),
    Signal("DISCHARGE SUMMARY", 6),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.MEDICAL_REPORT.value, content), None


KIND = KindSpec(DocumentKind.MEDICAL_REPORT, read, signals=SIGNALS)
