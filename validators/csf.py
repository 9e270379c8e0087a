"""Rules CSF-001 to CSF-006: what the claims desk checks on a Constancia de Situación Fiscal
without asking SAT (CSF-007/008, the online check, live elsewhere).

Pure functions of the extraction and the context: thresholds come from the rule set and "today"
is the folio's intake date, so the same folio always gets the same findings."""

from __future__ import annotations

import unicodedata

from satcfdi.models import RFC

from domain.extractions import CsfExtraction
from domain.findings import Finding
from domain.folio import ClaimType, FolioManifest
from domain.masking import mask_clabe, mask_rfc  # noqa: F401  (re-exported for tests)
from domain.rules import finding

from .context import DocumentContext

PDF = "application/pdf"
VALID_STATUSES = frozenset({"ACTIVO", "REACTIVADO"})  # RULES.md CSF-003
# CSF-005: the fields a usable certificate shows, with the words a claimant understands.
REQUIRED_FIELDS = {
    "rfc": "RFC",
    "name": "nombre o razón social",
    "postal_code": "código postal",
    "regimes": "régimen fiscal",
    "issued_on": "lugar y fecha de emisión",
    "status": "estatus en el padrón",
}


def validate_csf(extraction: CsfExtraction, ctx: DocumentContext) -> list[Finding]:
    """Findings for one certificate. A certificate that is not a PDF gets CSF-001 alone: what an
    image seems to say cannot be relied on, and the claimant's fix is the same either way."""
    if ctx.media_type != PDF:
        return [_not_pdf(ctx)]
    findings = []
    if missing := [field for field in REQUIRED_FIELDS if not getattr(extraction, field)]:
        findings.append(_missing(missing))
    if extraction.issued_on and (finding := _age(extraction, ctx)):
        findings.append(finding)
    if extraction.status and (finding := _status(extraction.status)):
        findings.append(finding)
    if extraction.rfc and (finding := _rfc_matches(extraction.rfc, ctx.manifest)):
        findings.append(finding)
    if extraction.rfc and (finding := _check_digit(extraction.rfc)):
        findings.append(finding)
    return findings


def declared_rfc(manifest: FolioManifest) -> tuple[str | None, str]:
    """The RFC the certificate must carry and where it was declared: the provider's in provider
    billing (the certificate is the provider's), the holder's otherwise."""
    if manifest.claim_type is ClaimType.PAGO_PROVEEDOR:
        return (manifest.provider.rfc if manifest.provider else None), "provider.rfc"
    return (manifest.holder.rfc if manifest.holder else None), "holder.rfc"


def _not_pdf(ctx: DocumentContext) -> Finding:
    return finding(
        "CSF-001",
        "not_pdf",
        {"media_type": ctx.media_type, "expected": PDF},
        received=_type_name(ctx.media_type),
    )


def _missing(fields: list[str]) -> Finding:
    names = ", ".join(REQUIRED_FIELDS[f] for f in fields)
    return finding(
        "CSF-005",
        "missing_fields",
        {"missing": fields},
        fields=names,
    )


def _age(extraction: CsfExtraction, ctx: DocumentContext) -> Finding | None:
    limit = ctx.ruleset.thresholds.csf_max_age_days
    issued_on = extraction.issued_on
    if issued_on is None:  # the caller checks first: no date, no age
        return None
    age = (ctx.as_of - issued_on).days
    if age <= limit:
        return None
    return finding(
        "CSF-002",
        "too_old",
        {
            "issued_on": issued_on.isoformat(),
            "as_of": ctx.as_of.isoformat(),
            "age_days": age,
            "max_age_days": limit,
        },
        limit=limit,
        issued_on=issued_on.isoformat(),
        age=age,
    )


def _status(status: str) -> Finding | None:
    folded = _fold(status)
    if folded in VALID_STATUSES:
        return None
    return finding(
        "CSF-003",
        "inactive",
        {"status": folded, "accepted": sorted(VALID_STATUSES)},
        status=status,
    )


def _rfc_matches(rfc: str, manifest: FolioManifest) -> Finding | None:
    declared, source = declared_rfc(manifest)
    if not declared or rfc.strip().upper() == declared.strip().upper():
        return None
    whose = "del proveedor" if source == "provider.rfc" else "del titular"
    return finding(
        "CSF-004",
        "other_rfc",
        {"rfc_certificate": mask_rfc(rfc), "rfc_declared": mask_rfc(declared), "declared_in": source},
        certificate=mask_rfc(rfc),
        whose=whose,
        declared=mask_rfc(declared),
    )


def _check_digit(rfc: str) -> Finding | None:
    """satcfdi's RFC implements SAT's check-digit algorithm (and accepts the generic RFCs)."""
    try:
        valid = RFC(rfc.strip().upper()).is_valid()
        reason = "check_digit"
    except ValueError:
        valid, reason = False, "format"
    if valid:
        return None
    return finding(
        "CSF-006",
        reason,
        {"rfc": mask_rfc(rfc), "reason": reason},
        rfc=mask_rfc(rfc),
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _type_name(media_type: str) -> str:
    return {"image/jpeg": "una imagen JPG", "image/png": "una imagen PNG", "application/xml": "un XML"}.get(
        media_type, f"un archivo de tipo {media_type}"
    )
