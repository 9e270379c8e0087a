"""The insurer's care order, whose account a provider's invoice must quote (CFDI-018)."""

from __future__ import annotations

from domain.extractions import FormExtraction
from domain.kinds import DocumentKind

from ..content import DocumentContent
from ..forms import extract_form
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("ORDEN DE ATENCION", 6),
    Signal("DETALLE DE PAGO", 3),
    Signal("COASEGURO", 2),
    Signal("MEDICO TRATANTE", 1),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.CARE_ORDER.value, content), None


KIND = KindSpec(DocumentKind.CARE_ORDER, read, signals=SIGNALS)
