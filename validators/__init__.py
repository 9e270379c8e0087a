"""Validators: pure functions from extractions + folio context (+ an as-of date) to findings in
the codes of RULES.md. No network, no clock, no globals: everything arrives as arguments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.config import Ruleset
from domain.findings import Finding, SkippedRule
from domain.folio import FolioManifest
from domain.kinds import DocumentKind as K

from . import completeness, packaging, routing
from .context import DocumentContext, EvaluatedDocument, KindRules, ReadResult
from .skipped import skipped_rules
from .visible_text import hidden_text_findings

__all__ = ["validate_document", "validate_folio", "FolioFindings", "packaging", "routing"]


def validate_document(doc: ReadResult, ctx: DocumentContext, kind_rules: KindRules) -> list[Finding]:
    """Every document-level rule for one read document: packaging and legibility for every file,
    then `kind_rules`, its kind's own (which kind has which is extractors.kinds' registry, a layer
    above: validators import only the domain)."""
    if doc.unreadable or doc.content is None:
        return [packaging.unreadable(doc.unreadable or "no se pudo leer")]
    hidden = hidden_text_findings(doc.content.text_info)  # PKG-009: says why the pages were OCR'd
    findings = packaging.legibility(doc.content.text_info, ctx.ruleset)
    if findings:  # illegible: anything read from it is not worth judging
        return hidden + findings
    return hidden + kind_rules(doc, ctx)


@dataclass
class FolioFindings:
    findings: list[Finding] = field(default_factory=list)
    document_findings: dict[str, list[Finding]] = field(default_factory=dict)
    missing: list[K] = field(default_factory=list)
    skipped: list[SkippedRule] = field(default_factory=list)


def validate_folio(
    manifest: FolioManifest, as_of: date, ruleset: Ruleset, docs: list[EvaluatedDocument], read: dict[str, Any]
) -> FolioFindings:
    """Rules across documents: invoice pairing, duplicates and count, then completeness, which
    must see the pairing rejections to know whether an invoice is really accepted."""
    from .cfdi import folio_cfdi_findings  # here, not at the top: validators.cfdi imports this package

    cfdi = folio_cfdi_findings(manifest, ruleset, docs, read)
    rejected_now = {name for name, fs in cfdi.document_findings.items() if any(f.outcome == "reject" for f in fs)}
    docs = [dataclasses.replace(d, accepted=d.accepted and d.file not in rejected_now) for d in docs]
    required, skipped = completeness.required_kinds(manifest, as_of, ruleset, docs)
    missing_findings, missing = completeness.missing_findings(required, docs)
    findings = cfdi.findings + missing_findings + completeness.unclassified_findings(docs)
    skipped += skipped_rules(manifest, {d.kind for d in docs})
    return FolioFindings(findings, cfdi.document_findings, missing, skipped)
