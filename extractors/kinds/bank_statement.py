"""A bank statement: BANK-001…006."""

from __future__ import annotations

import re

from clabe import validate_clabe

from domain.extractions import BankStatementExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.bank import validate_bank_statement
from validators.context import DocumentContext, ReadResult

from ..bank_statement import extract_bank_statement
from ..content import DocumentContent
from ..dates import find_period
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

_CLABE_DIGITS = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){17}(?![\d.,]?\d)")


def marker(folded: str) -> str | None:
    """A CLABE that verifies next to a statement period."""
    if "CLABE" in folded or _CLABE_DIGITS.search(folded):
        clabes = [re.sub(r"\D", "", m[0]) for m in _CLABE_DIGITS.finditer(folded)]
        if any(validate_clabe(c) for c in clabes):
            period = find_period(folded, years=(2000, 2100), folded=True)
            if period and period.end:
                return "CLABE y periodo"
    return None


def read(content: DocumentContent, options: ReadOptions) -> tuple[BankStatementExtraction, None]:
    return extract_bank_statement(content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_bank_statement(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.BANK_STATEMENT, read, rules, SIGNALS, marker)
