"""Extractors: bytes in, typed extraction out, one module per document kind.

`read_document` is the whole read path for one file (open once, classify by content, extract);
it makes no business decision: an unreadable file comes back with the reason, for the
validators to turn into a finding."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.decision import Classification
from domain.extractions import Extraction, OtherExtraction
from domain.kinds import DocumentKind

from .classify import classify
from .content import DocumentContent, UnreadableDocument
from .loader import read_content
from .sniff import PDF, sniff_media_type

__all__ = ["ReadDocument", "read_document", "sniff_media_type", "DocumentContent", "UnreadableDocument"]

FORM_KINDS = frozenset(
    {
        DocumentKind.CLAIM_FORM,
        DocumentKind.REIMBURSEMENT_FORM,
        DocumentKind.MEDICAL_REPORT,
        DocumentKind.PRESCRIPTION,
        DocumentKind.STUDENT_CERTIFICATE,
        DocumentKind.DEPENDENT_DECLARATION,
        DocumentKind.CARE_ORDER,
    }
)


@dataclass(frozen=True)
class ReadDocument:
    """The outcome of reading one file: its content, kind and extraction, or why it could not be
    opened. `parsed` holds the kind-specific parse result validators need beyond the extraction
    (for CFDI: schema and seal results)."""

    name: str
    media_type: str
    kind: DocumentKind
    classification: Classification | None = None
    content: DocumentContent | None = None
    extraction: Extraction | None = None
    parsed: object | None = None
    unreadable: str | None = None

    def with_data(self, data: bytes) -> ReadDocument:
        """The same reading with other original bytes: b"" to send or keep it without them (the
        sandbox's answer, an extraction-cache row), the original to put them back."""
        if self.content is None:
            return self
        return replace(self, content=replace(self.content, data=data))


def read_document(
    name: str,
    data: bytes,
    media_type: str,
    declared: DocumentKind | None = None,
    *,
    min_text_chars: int = 40,
    trust_store=None,
    stamp_certificates=None,
    cross_check: bool = False,
) -> ReadDocument:
    """`trust_store` (extractors.cfdi_xml.TrustStore) is what CFDI issuer certificates must chain
    to, None meaning SAT's production CAs; `stamp_certificates` is where SAT's stamp certificates
    are, None meaning SelloSAT is not checked (and the extraction says so). `cross_check`
    (the rule set's `cross_check_key_fields`) compares the key fields of a digital CSF, bank
    statement or invoice PDF with an OCR of where they are printed (extractors.key_fields)."""
    try:
        content = read_content(name, data, media_type, min_text_chars=min_text_chars)
    except UnreadableDocument as exc:
        return ReadDocument(name, media_type, declared or DocumentKind.OTHER, unreadable=str(exc))
    classification = classify(content, declared)
    extraction, parsed = extract(classification.kind, content, trust_store, stamp_certificates)
    if cross_check and _checkable(content, classification.kind):
        from .key_fields import cross_check as disagreements_of
        from .loader import read_pdf_by_ocr

        disagreements = disagreements_of(data, classification.kind, extraction)
        if disagreements:  # PKG-009: judged on what the pages show, like a scan
            content = read_pdf_by_ocr(name, data, disagreements)
            classification = classify(content, declared)
            extraction, parsed = extract(classification.kind, content, trust_store, stamp_certificates)
    return ReadDocument(name, media_type, classification.kind, classification, content, extraction, parsed)


def _checkable(content: DocumentContent, kind: DocumentKind) -> bool:
    """A digital PDF of a kind with key fields, not already read from its pixels."""
    from .key_fields import KEY_FIELDS

    return (
        kind in KEY_FIELDS
        and content.media_type == PDF
        and not content.text_info.ocr
        and not content.text_info.hidden_text
    )


def extract(
    kind: DocumentKind, content: DocumentContent, trust_store=None, stamp_certificates=None
) -> tuple[Extraction | None, object | None]:
    """(typed extraction, kind-specific parse result or None)."""
    if kind in (DocumentKind.CFDI_XML, DocumentKind.PAYMENT_COMPLEMENT):
        from .cfdi_xml import parse_cfdi

        parsed = parse_cfdi(content.data, trust_store=trust_store, stamp_certificates=stamp_certificates)
        return parsed.extraction, parsed
    if kind is DocumentKind.INVOICE_PDF:
        from .invoice_pdf import extract_invoice_pdf

        return extract_invoice_pdf(content), None
    if kind is DocumentKind.TAX_STATUS_CERTIFICATE:
        from .csf import extract_csf

        return extract_csf(content), None
    if kind is DocumentKind.BANK_STATEMENT:
        from .bank_statement import extract_bank_statement

        return extract_bank_statement(content), None
    if kind is DocumentKind.FOREIGN_INVOICE:
        from .foreign_invoice import extract_foreign_invoice

        return extract_foreign_invoice(content), None
    if kind in FORM_KINDS:
        from .forms import extract_form

        return extract_form(kind.value, content), None
    return OtherExtraction(text=content.text_info), None
