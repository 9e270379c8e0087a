"""Rules BANK-001 to BANK-006: the bank statement a payment will be sent to.

Pure functions of the extraction and the context. The CLABE's control digit and bank catalogue
come from the `clabe` library (Banxico's list), the statement's age from the rule set, and names
are compared with the one normaliser of validators.names."""

from __future__ import annotations

from datetime import date

from clabe import BANKS, compute_control_digit, get_bank_name
from dateutil.relativedelta import relativedelta

from domain.extractions import BankStatementExtraction
from domain.findings import Finding
from domain.folio import ClaimType, FolioManifest
from domain.masking import mask_clabe, mask_rfc  # noqa: F401  (re-exported for tests)
from domain.rules import finding

from .context import DocumentContext
from .names import same_person

PDF = "application/pdf"


def validate_bank_statement(extraction: BankStatementExtraction, ctx: DocumentContext) -> list[Finding]:
    """Findings for one statement. Not a PDF gets BANK-001 alone (the claimant's fix is to send
    the bank's PDF, whatever an image seems to say). BANK-004 is judged only on a CLABE that is
    itself valid: a misread or mistyped CLABE is BANK-003, one cause, one finding."""
    if ctx.media_type != PDF:
        return [_not_pdf(ctx)]
    findings = []
    missing = [field for field in ("holder_name", "period_end") if not getattr(extraction, field)]
    if missing:
        findings.append(_missing(missing))
    if extraction.period_end and (finding := _age(extraction.period_end, ctx)):
        findings.append(finding)
    clabe_problem = _clabe_finding(extraction.clabe)
    if clabe_problem:
        findings.append(clabe_problem)
    elif extraction.clabe and (finding := _clabe_matches(extraction.clabe, ctx.manifest)):  # valid, so present
        findings.append(finding)
    if extraction.holder_name and (finding := _holder_matches(extraction.holder_name, ctx)):
        findings.append(finding)
    return findings


def declared_holder(manifest: FolioManifest) -> tuple[str | None, str]:
    """Whose account it must be, in RULES.md's order: `bank.holder`, else the provider in provider
    billing (the payment goes to the provider), else the policy holder."""
    if manifest.bank and manifest.bank.holder:
        return manifest.bank.holder, "bank.holder"
    if manifest.claim_type is ClaimType.PAGO_PROVEEDOR and manifest.provider:
        return manifest.provider.name, "provider.name"
    return (manifest.holder.name if manifest.holder else None), "holder.name"


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's end
    (2026-05-31 minus 3 months is 2026-02-28)."""
    return day - relativedelta(months=months)


def _not_pdf(ctx: DocumentContext) -> Finding:
    return finding(
        "BANK-001",
        "not_pdf",
        {"media_type": ctx.media_type, "expected": PDF},
    )


def _missing(fields: list[str]) -> Finding:
    words = {"holder_name": "el nombre del titular de la cuenta", "period_end": "el periodo del estado de cuenta"}
    what = " ni ".join(words[f] for f in fields)
    return finding(
        "BANK-006",
        "missing_fields",
        {"missing": fields},
        fields=what,
    )


def _age(period_end: date, ctx: DocumentContext) -> Finding | None:
    months = ctx.ruleset.thresholds.statement_max_age_months
    oldest = months_before(ctx.as_of, months)
    if period_end >= oldest:
        return None
    return finding(
        "BANK-002",
        "too_old",
        {
            "period_end": period_end.isoformat(),
            "as_of": ctx.as_of.isoformat(),
            "max_age_months": months,
            "oldest_accepted": oldest.isoformat(),
        },
        months=months,
        period_end=period_end.isoformat(),
        oldest=oldest.isoformat(),
    )


def _clabe_finding(clabe: str | None) -> Finding | None:
    if not clabe:
        return finding("BANK-003", "missing", {"problems": ["missing"]})
    if len(clabe) != 18 or not clabe.isdigit():
        return finding("BANK-003", "length", {"problems": ["length"], "length": len(clabe)}, length=len(clabe))
    problems = []
    if clabe[:3] not in BANKS:
        problems.append("bank_code")
    expected = compute_control_digit(clabe)
    if clabe[-1] != expected:
        problems.append("control_digit")
    if not problems:
        return None
    evidence = {"problems": problems, "clabe": mask_clabe(clabe), "bank_code": clabe[:3]}
    cause = "control_digit" if "control_digit" in problems else "bank_code"
    return finding("BANK-003", cause, evidence, last4=clabe[-4:], bank_code=clabe[:3])


def _clabe_matches(clabe: str, manifest: FolioManifest) -> Finding | None:
    declared = manifest.bank.clabe if manifest.bank else None
    if not declared or clabe == declared:
        return None
    return finding(
        "BANK-004",
        "other_clabe",
        {"clabe_statement": mask_clabe(clabe), "clabe_declared": mask_clabe(declared)},
        statement_last4=clabe[-4:],
        bank=get_bank_name(clabe),
        declared_last4=declared[-4:],
    )


def _holder_matches(holder: str, ctx: DocumentContext) -> Finding | None:
    declared, source = declared_holder(ctx.manifest)
    if not declared or same_person(holder, declared, ctx.ruleset.honorifics, ctx.ruleset.legal_forms):
        return None
    whose = {
        "bank.holder": "el titular de cuenta registrado",
        "provider.name": "el proveedor",
        "holder.name": "el titular de la póliza",
    }[source]
    return finding(
        "BANK-005",
        "other_holder",
        {"holder_statement": holder, "holder_declared": declared, "declared_in": source},
        holder=holder,
        whose=whose,
        declared=declared,
    )
