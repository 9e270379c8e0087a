"""The declaration that an adult child is a single dependant (FORM-001 when unsigned)."""

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
    Signal("DECLARACION DE DEPENDIENTE", 6),
    Signal("DEPENDIENTE ECONOMICO", 3),
    Signal("ESTADO CIVIL SOLTERO", 4),
    Signal("BAJO PROTESTA DE DECIR VERDAD", 2),
    Signal("SOLTERO", 1),
    # Letters written freely: "carta de soltería", "declaración de dependencia económica".
    Signal("CARTA DE SOLTERIA", 6),
    Signal("SOLTERIA", 4),
    Signal("DEPENDENCIA ECONOMICA", 5),
    Signal("DEPENDE ECONOMICAMENTE", 3),
    Signal("DEPENDO ECONOMICAMENTE", 3),
    Signal("SOY SOLTER", 3),
    Signal("SOLTERA", 1),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[FormExtraction, None]:
    return extract_form(DocumentKind.DEPENDENT_DECLARATION.value, content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_form(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.DEPENDENT_DECLARATION, read, rules, SIGNALS)
