"""The claim form the claimant signs (FORM-001 when its signature field is blank)."""

from __future__ import annotations

from domain.extractions import FormExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.context import DocumentContext, ReadResult
from validators.forms import validate_form

from ..content import DocumentContent
from ..forms import extract_form
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("FORMULARIO DE RECLAMACION", 6),
    Signal("AVISO DE ACCIDENTE O ENFERMEDAD", 6),
    Signal("RECLAMACION DE GASTOS MEDICOS", 5),
    Signal("DATOS DEL ASEGURADO AFECTADO", 2),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.CLAIM_FORM.value, content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_form(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.CLAIM_FORM, read, rules, SIGNALS)
