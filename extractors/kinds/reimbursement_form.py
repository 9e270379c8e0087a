"""The reimbursement request form; it may carry the CLABE (FORM-001 when unsigned)."""

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
    Signal("SOLICITUD DE REEMBOLSO", 6),
    Signal("FORMATO DE REEMBOLSO", 6),
    Signal("DATOS PARA TRANSFERENCIA", 2),
    Signal("REEMBOLSO", 1),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.REIMBURSEMENT_FORM.value, content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_form(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.REIMBURSEMENT_FORM, read, rules, SIGNALS)
