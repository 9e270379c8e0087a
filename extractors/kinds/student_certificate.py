"""A school's certificate of studies, required for adult child dependants."""

from __future__ import annotations

from domain.extractions import FormExtraction
from domain.kinds import DocumentKind

from ..content import DocumentContent
from ..forms import extract_form
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("CONSTANCIA DE ESTUDIOS", 6),
    Signal("CICLO ESCOLAR", 3),
    Signal("INSCRITO", 2),
    Signal("ALUMNO", 1),
    Signal("ALUMNA", 1),
    Signal("INSCRITA", 2),
    Signal("ALUMNO REGULAR", 3),
    Signal("CONTROL ESCOLAR", 2),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.STUDENT_CERTIFICATE.value, content), None


KIND = KindSpec(DocumentKind.STUDENT_CERTIFICATE, read, signals=SIGNALS)
