"""The printed form (PDF) of a CFDI: judged with its XML, by the folio's pairing rules (CFDI-010)."""

from __future__ import annotations

from domain.extractions import InvoicePdfExtraction
from domain.kinds import DocumentKind

from ..content import DocumentContent
from ..invoice_pdf import extract_invoice_pdf
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("REPRESENTACION IMPRESA DE UN CFDI", 6),
    Signal("FOLIO FISCAL", 5),
    Signal("SELLO DIGITAL DEL SAT", 4),
    Signal("SELLO DIGITAL DEL CFDI", 3),
    Signal("USO CFDI", 2),
    Signal("RFC EMISOR", 2),
    Signal("RFC RECEPTOR", 2),
    Signal("FACTURA", 2),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[InvoicePdfExtraction, None]:
    return extract_invoice_pdf(content), None


KIND = KindSpec(DocumentKind.INVOICE_PDF, read, signals=SIGNALS)
