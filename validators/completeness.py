"""REQ-001 and REQ-002: does the folio hold every document its claim type needs?

The table itself is configuration (ruleset.requirements); this module evaluates the named
conditions the table refers to, because those depend on what the documents say."""

from __future__ import annotations

from datetime import date

from clabe import validate_clabe

from domain.config import INVOICE, Condition, Ruleset
from domain.extractions import CfdiExtraction, FormExtraction
from domain.findings import Finding, SkippedRule
from domain.folio import FolioManifest, Relationship
from domain.kinds import DocumentKind
from domain.rules import finding

from .context import EvaluatedDocument


def required_kinds(
    manifest: FolioManifest, as_of: date, ruleset: Ruleset, docs: list[EvaluatedDocument]
) -> tuple[list[DocumentKind], list[SkippedRule]]:
    """The kinds this folio must hold, in table order, and the conditions that could not be
    evaluated (reported as skipped, never guessed)."""
    requirement = ruleset.requirement(manifest.claim_type, manifest.stage)
    skipped: list[SkippedRule] = []
    kinds = list(requirement.required)
    for conditional in requirement.conditional:
        holds = _condition(conditional.when, manifest, as_of, ruleset, docs, skipped)
        if holds:
            kinds += conditional.kinds
    resolved = []
    for kind in kinds:
        kind = _resolve_invoice(kind, manifest)
        if kind not in resolved:
            resolved.append(kind)
    return resolved, skipped


def _resolve_invoice(kind: str, manifest: FolioManifest) -> DocumentKind:
    if kind == INVOICE:
        return DocumentKind.FOREIGN_INVOICE if manifest.abroad else DocumentKind.CFDI_XML
    return DocumentKind(kind)


def _condition(
    condition: Condition,
    manifest: FolioManifest,
    as_of: date,
    ruleset: Ruleset,
    docs: list[EvaluatedDocument],
    skipped: list[SkippedRule],
) -> bool:
    if condition is Condition.PHARMACY_INVOICE:
        prefixes = ruleset.pharmacy_prefixes
        return any(
            isinstance(d.extraction, CfdiExtraction)
            and any(c.clave_prod_serv.startswith(prefixes) for c in d.extraction.concepts)
            for d in docs
            if d.accepted and d.kind is DocumentKind.CFDI_XML
        )
    if condition is Condition.NO_BANK_ACCOUNT_ON_FILE:
        if manifest.bank_account_on_file:
            return False
        return not any(
            isinstance(d.extraction, FormExtraction) and d.extraction.clabe and validate_clabe(d.extraction.clabe)
            for d in docs
            if d.accepted and d.kind is DocumentKind.REIMBURSEMENT_FORM
        )
    if condition is Condition.ADULT_CHILD_DEPENDENT:
        patient = manifest.patient
        if patient is None or patient.relationship not in (Relationship.HIJO, Relationship.DEPENDIENTE):
            return False
        if patient.birth_date is None:
            skipped.append(SkippedRule(code="REQ-001", why="student certificate: no patient.birth_date declared"))
            return False
        reference = manifest.policy.valid_from if manifest.policy and manifest.policy.valid_from else as_of
        return _age(patient.birth_date, reference) >= ruleset.thresholds.dependent_student_age
    raise ValueError(f"unknown condition {condition}")  # unreachable: Condition is closed


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def missing_findings(
    required: list[DocumentKind], docs: list[EvaluatedDocument]
) -> tuple[list[Finding], list[DocumentKind]]:
    """REQ-001 for each required kind without an accepted document; the evidence names the
    rejected files of that kind, so the claimant knows which one to replace."""
    findings, missing = [], []
    for kind in required:
        of_kind = [d for d in docs if d.kind is kind]
        if any(d.accepted for d in of_kind):
            continue
        missing.append(kind)
        rejected = [d.file for d in of_kind]
        findings.append(
            finding(
                "REQ-001",
                "rejected" if rejected else "not_sent",
                {"kind": kind.value, "rejected_files": rejected},
                kind=kind.name_es,
            )
        )
    return findings, missing


def unclassified_findings(docs: list[EvaluatedDocument]) -> list[Finding]:
    return [
        finding(
            "REQ-002",
            "unclassified",
            {"file": d.file},
            file=d.file,
        )
        for d in docs
        if d.kind is DocumentKind.OTHER and d.read and d.duplicate_of is None
    ]
