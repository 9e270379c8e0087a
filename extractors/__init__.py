"""Extractors: bytes in, typed extraction out, one module per document kind.

`read_document` is the whole read path for one file (open once, classify by content, extract);
it makes no business decision: an unreadable file comes back with the reason, for the
validators to turn into a finding."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from domain.decision import Classification
from domain.extractions import Extraction
from domain.kinds import DocumentKind

from . import kinds
from .classify import classify
from .content import DocumentContent, UnreadableDocument
from .kinds import ReadOptions
from .loader import read_content
from .read_failure import ReadFailure
from .sniff import PDF, sniff_media_type

if TYPE_CHECKING:  # the CFDI reader pulls in satcfdi: imported where a CFDI is read
    from .cfdi_xml import CfdiParse

__all__ = [
    "ReadDocument",
    "ReadFailure",
    "read_document",
    "sniff_media_type",
    "DocumentContent",
    "UnreadableDocument",
]


@dataclass(frozen=True)
class ReadDocument:
    """The outcome of reading one file: its content, kind and extraction, or why it could not be
    opened (`unreadable`: the reason as the claimant reads it; `failure`: its kind, which callers
    decide on). `parsed` holds the kind-specific parse result validators need beyond the
    extraction (for CFDI: schema and seal results)."""

    name: str
    media_type: str
    kind: DocumentKind
    classification: Classification | None = None
    content: DocumentContent | None = None
    extraction: Extraction | None = None
    parsed: CfdiParse | None = None
    unreadable: str | None = None
    failure: ReadFailure | None = None

    def __post_init__(self) -> None:
        if self.unreadable and self.failure is None:  # a reason without a kind: the bytes' fault
            object.__setattr__(self, "failure", ReadFailure.UNREADABLE)

    @property
    def overran(self) -> bool:
        """A budget or the reader gave out (not cached: it may pass under less load)."""
        return self.failure is not None and self.failure.overran

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
        kind = declared or DocumentKind.OTHER
        return ReadDocument(name, media_type, kind, unreadable=str(exc), failure=ReadFailure.UNREADABLE)
    classification = classify(content, declared)
    extraction, parsed = extract(classification.kind, content, trust_store, stamp_certificates)
    if cross_check and _checkable(content, classification.kind):
        # cold path (cross_check_key_fields is off by default): key_fields pulls in the OCR region reader
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
    from .key_fields import KEY_FIELDS  # cold path, as in read_document

    return (
        kind in KEY_FIELDS
        and content.media_type == PDF
        and not content.text_info.ocr
        and not content.text_info.hidden_text
    )


def extract(
    kind: DocumentKind, content: DocumentContent, trust_store=None, stamp_certificates=None
) -> tuple[Extraction | None, CfdiParse | None]:
    """(typed extraction, kind-specific parse result or None): the kind's reader (extractors.kinds)."""
    return kinds.spec(kind).read(content, ReadOptions(trust_store, stamp_certificates))
