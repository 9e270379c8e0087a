"""Validation and the decision: each read document against its rules (plus what SAT said about
it), then the folio as a whole, then the route and the Art. 71 clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import extractors.kinds
import validators
import validators.routing
from domain.config import Ruleset
from domain.decision import Decision, DocumentResult, DocumentStatus
from domain.extractions import Extraction
from domain.findings import Finding, SkippedRule, has_reject
from domain.folio import FolioManifest
from domain.kinds import DocumentKind
from extractors import ReadDocument
from validators.context import DocumentContext, EvaluatedDocument
from validators.packaging import FileFacts
from validators.skipped import sat_checks_off

from .originals import StoredFolio
from .packaging import PackagingResult


def validate_documents(
    stored: StoredFolio,
    read: dict[str, ReadDocument],
    ruleset: Ruleset,
    as_of: date,
    known_uuids: dict[str, str],
    sat: Mapping[str, list[Finding]] | None = None,
) -> dict[str, list[Finding]]:
    """`sat`: what the SAT checks found per file (sat.checks), added to the file's own."""
    facts = {f.name: f for f in stored.files}
    out: dict[str, list[Finding]] = {}
    for name, doc in read.items():
        ctx = DocumentContext(stored.manifest, as_of, ruleset, name, facts[name].media_type, known_uuids)
        out[name] = extractors.kinds.validate_document(doc, ctx) + list((sat or {}).get(name, []))
    return out


def decide(
    stored: StoredFolio,
    packaging: PackagingResult,
    read: dict[str, ReadDocument],
    doc_findings: dict[str, list[Finding]],
    ruleset: Ruleset,
    as_of: date,
    evaluated_at: datetime,
    first_complete_at: datetime | None = None,
) -> Decision:
    """Each file's findings (packaging, its own rules, SAT), then the folio's (completeness,
    cross-document rules), then the route. A folio refused whole (PKG-004/005) is not evaluated."""
    manifest = stored.manifest
    if packaging.refused_whole:
        documents = [_not_evaluated(f, manifest) for f in stored.files]
        return _decision(manifest, ruleset, as_of, evaluated_at, documents, packaging.folio_findings, [], [], None)
    findings = {
        f.name: list(packaging.file_findings.get(f.name, [])) + doc_findings.get(f.name, []) for f in stored.files
    }
    evaluated = [_evaluated(f, read.get(f.name), findings[f.name], manifest, packaging) for f in stored.files]
    folio_level = validators.validate_folio(manifest, as_of, ruleset, evaluated, read)
    for name, extra in folio_level.document_findings.items():
        findings[name].extend(extra)
    documents = [
        _result(f, ev, read.get(f.name), findings[f.name]) for f, ev in zip(stored.files, evaluated, strict=True)
    ]
    return _decision(
        manifest,
        ruleset,
        as_of,
        evaluated_at,
        documents,
        folio_level.findings,
        folio_level.missing,
        folio_level.skipped,
        first_complete_at,
    )


def _not_evaluated(facts: FileFacts, manifest: FolioManifest) -> DocumentResult:
    return DocumentResult(
        file=facts.name,
        sha256=facts.sha256,
        size=facts.size,
        media_type=facts.media_type,
        kind=manifest.declared_kind(facts.name) or DocumentKind.OTHER,
        status=DocumentStatus.NOT_EVALUATED,
    )


def _evaluated(
    facts: FileFacts,
    doc: ReadDocument | None,
    findings: list[Finding],
    manifest: FolioManifest,
    packaging: PackagingResult,
) -> EvaluatedDocument:
    """One file as the folio-level rules see it."""
    return EvaluatedDocument(
        file=facts.name,
        kind=doc.kind if doc else (manifest.declared_kind(facts.name) or DocumentKind.OTHER),
        accepted=not has_reject(findings),
        extraction=doc.extraction if doc else None,
        duplicate_of=packaging.duplicates.get(facts.name),
        read=doc is not None and not doc.unreadable,
    )


def _result(
    facts: FileFacts, ev: EvaluatedDocument, doc: ReadDocument | None, findings: list[Finding]
) -> DocumentResult:
    """One file as the decision shows it."""
    if ev.duplicate_of:
        status = DocumentStatus.DUPLICATE
    elif has_reject(findings):
        status = DocumentStatus.REJECTED
    else:
        status = DocumentStatus.ACCEPTED
    return DocumentResult(
        file=facts.name,
        sha256=facts.sha256,
        size=facts.size,
        media_type=facts.media_type,
        kind=ev.kind,
        status=status,
        classification=doc.classification if doc else None,
        extracted=_public(doc.extraction) if doc else {},
        findings=findings,
    )


def _public(extraction: Extraction | None) -> dict:
    return extraction.public_fields() if extraction is not None else {}


def _decision(
    manifest: FolioManifest,
    ruleset: Ruleset,
    as_of: date,
    evaluated_at: datetime,
    documents: list[DocumentResult],
    folio_findings: list[Finding],
    missing: list[DocumentKind],
    skipped: list[SkippedRule],
    first_complete_at: datetime | None,
) -> Decision:
    every = list(folio_findings) + [f for d in documents for f in d.findings]
    route = validators.routing.route_for(every)
    complete_at, due = validators.routing.completion(route, evaluated_at, first_complete_at)
    return Decision(
        folio=manifest.folio,
        route=route,
        ruleset=ruleset.version,
        evaluated_at=evaluated_at,
        as_of=as_of,
        complete_at=complete_at,
        payment_due=due,
        documents=documents,
        folio_findings=folio_findings,
        missing=missing,
        skipped_rules=skipped,
    )


def with_sat_evidence(decision: Decision, evidence: dict[str, dict] | None) -> Decision:
    """Put what SAT answered for each document (sat.checks.answers_evidence: `sat_status`,
    `sat_csf_check`, raw answer included) into that document's `extracted`, so the answer is
    kept with the decision even when it raised no finding."""
    if not evidence:
        return decision
    documents = [
        d.model_copy(update={"extracted": {**d.extracted, **evidence[d.file]}}) if d.file in evidence else d
        for d in decision.documents
    ]
    return decision.model_copy(update={"documents": documents})


def without_sat(decision: Decision) -> Decision:
    """The decision of a run with the SAT checks switched off: every SAT rule is listed under
    `skipped_rules` with the reason (CONTRACT.md), so the decision, its history and its report
    show that SAT was not asked."""
    listed = {s.code for s in decision.skipped_rules}
    extra = [s for s in sat_checks_off() if s.code not in listed]
    return decision.model_copy(update={"skipped_rules": list(decision.skipped_rules) + extra})
