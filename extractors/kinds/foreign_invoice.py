"""An invoice or receipt from abroad: FOR-001, FOR-002."""

from __future__ import annotations

from domain.extractions import ForeignInvoiceExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.cfdi import validate_foreign_invoice
from validators.context import DocumentContext, ReadResult

from ..content import DocumentContent
from ..foreign_invoice import extract_foreign_invoice
from .spec import KindSpec, ReadOptions, Signal

SIGNALS = (
    Signal("INVOICE", 4),
    Signal("BILL TO", 3),
    Signal("AMOUNT DUE", 3),
    Signal("BALANCE DUE", 3),
    Signal("TAX ID", 1),
    Signal("DATE OF SERVICE", 2),
    Signal("TOTAL DUE", 3),
    # Receipts and other countries' invoices in Spanish (Spain, Colombia, Chile...) and German.
    Signal("RECEIPT", 3),
    Signal("RECHNUNG", 5),
    Signal("PATIENT STATEMENT", 5),
    Signal("TOTAL PAID", 3),
    Signal("TOTAL CHARGES", 3),
    Signal("PHARMACY", 2),
    Signal("THANK YOU", 2),
    Signal("SUBTOTAL", 1),
    Signal("FACTURA ELECTRONICA DE VENTA", 6),
    Signal("BOLETA", 4),
    Signal("BASE IMPONIBLE", 3),
    Signal("TOTAL FACTURA", 3),
    Signal("CIF:", 2),
    Signal("NIT ", 2),
    Signal("RUT ", 2),
    Signal("CUIT ", 2),
    Signal("VAT ", 2),
    Signal("€", 2),
    Signal("£", 2),
    Signal("FACTURA", 2),
    Signal("FACTURE", 4),
    Signal("RECIBO", 2),
    # A foreign country in the letterhead's address ("…, La Habana, Cuba"): names that are no
    # Spanish word's part are matched bare, the others after the address's comma. Few, since
    # every signal is a pass over every document's text.
    Signal("ESPANA", 3),
    Signal("COLOMBIA", 3),
    Signal("ARGENTINA", 3),
    Signal("COSTA RICA", 3),
    Signal("GUATEMALA", 3),
    Signal("GERMANY", 3),
    Signal("UNITED KINGDOM", 3),
    Signal(", USA", 3),
    Signal(", CANADA", 3),
    Signal(", CHILE", 3),
    Signal(", CUBA", 3),
    Signal(", FRANCE", 3),
)


def read(content: DocumentContent, options: ReadOptions) -> tuple[ForeignInvoiceExtraction, None]:
    return extract_foreign_invoice(content), None


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    return validate_foreign_invoice(doc.extraction, ctx)


KIND = KindSpec(DocumentKind.FOREIGN_INVOICE, read, rules, SIGNALS)
