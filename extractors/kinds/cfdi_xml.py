"""A CFDI's XML (an invoice): CFDI-001…004, 009, 011, 014…021 on the document itself. Recognised
by its root element, not by phrases; an XML no kind recognises is judged as this one, so that the
claimant hears why it is not a CFDI (extractors.classify, CFDI-001)."""

from __future__ import annotations

import re

from domain.extractions import CfdiExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.cfdi import validate_cfdi
from validators.context import DocumentContext, ReadResult

from ..cfdi_xml import CfdiParse, parse_cfdi
from ..content import DocumentContent
from .spec import KindSpec, ReadOptions

CFDI_ROOT = re.compile(
    rb"<(?:[\w.-]+:)?Comprobante\b[^>]*xmlns(?::[\w.-]+)?=\"http://www\.sat\.gob\.mx/cfd/[34]\"", re.S
)
TYPE_P = re.compile(rb"TipoDeComprobante\s*=\s*[\"']P[\"']")


def recognise(head: bytes) -> str | None:
    """A cfdi:Comprobante of any type but P (a payment complement)."""
    if CFDI_ROOT.search(head) and not TYPE_P.search(head):
        return "raíz cfdi:Comprobante"
    return None


def read(content: DocumentContent, options: ReadOptions) -> tuple[CfdiExtraction | None, CfdiParse]:
    parsed = parse_cfdi(content.data, trust_store=options.trust_store, stamp_certificates=options.stamp_certificates)
    return parsed.extraction, parsed


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    """Judged on the whole parse (schema, seal and chain results), not only the extraction."""
    return validate_cfdi(doc.parsed, ctx)


KIND = KindSpec(DocumentKind.CFDI_XML, read, rules, recognise_xml=recognise)
