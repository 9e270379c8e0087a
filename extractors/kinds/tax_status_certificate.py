"""SAT's tax status certificate (constancia de situación fiscal): CSF-001…006."""

from __future__ import annotations

import re

from domain.extractions import CsfExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.context import DocumentContext, ReadResult
from validators.csf import validate_csf

from ..content import DocumentContent
from ..csf import extract_csf
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("CONSTANCIA DE SITUACION FISCAL", 6),
    Signal("CEDULA DE IDENTIFICACION FISCAL", 6),
    Signal("IDCIF", 4),
    Signal("ESTATUS EN EL PADRON", 4),
    Signal("LUGAR Y FECHA DE EMISION", 2),
    Signal("REGIMENES", 1),
    Signal("OBLIGACIONES", 1),
)

_ID_CIF = re.compile(r"\bID\s*\.?\s*CIF\b\s*:?\s*\d{6,15}(?!\d)")


def marker(folded: str) -> str | None:
    """An idCIF with its number: only SAT's certificate prints one."""
    return "idCIF" if _ID_CIF.search(folded) else None


def read(content: DocumentContent, options: ReadOptions) -> tuple[CsfExtraction, None]:
    return extract_csf(content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_csf(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.TAX_STATUS_CERTIFICATE, read, rules, SIGNALS, marker)
