"""A CFDI's XML (an invoice): CFDI-001…004, 009, 011, 014…021 on the document itself. XML kinds
are recognised by their root element (extractors.classify), so they have no phrase signals."""

from __future__ import annotations

from domain.extractions import CfdiExtraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.cfdi import validate_cfdi
from validators.context import DocumentContext, ReadResult

from ..cfdi_xml import CfdiParse, parse_cfdi
from ..content import DocumentContent
from .spec import KindSpec, ReadOptions


def read(content: DocumentContent, options: ReadOptions) -> tuple[CfdiExtraction | None, CfdiParse]:
    parsed = parse_cfdi(content.data, trust_store=options.trust_store, stamp_certificates=options.stamp_certificates)
    return parsed.extraction, parsed


def rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    """Judged on the whole parse (schema, seal and chain results), not only the extraction."""
    return validate_cfdi(doc.parsed, ctx)


KIND = KindSpec(DocumentKind.CFDI_XML, read, rules)
