"""A bank statement: BANK-001…006."""

from __future__ import annotations

from domain.extractions import BankStatementExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.bank import validate_bank_statement
from validators.context import DocumentContext, ReadResult

from ..bank_statement import extract_bank_statement
from ..content import DocumentContent
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("ESTADO DE CUENTA", 6),
    Signal("CLABE", 2),
    Signal("SALDO", 1),
    Signal("PERIODO", 1),
    Signal("FECHA DE CORTE", 2),
    Signal("MOVIMIENTOS", 1),
    Signal("DEPOSITOS", 1),
    Signal("RETIROS", 1),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[BankStatementExtraction, None]:
    return extract_bank_statement(content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_bank_statement(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.BANK_STATEMENT, read, rules, SIGNALS)
