"""Rules that could not run because folio.json lacks what they need (CONTRACT.md: "a missing
optional field disables only the rules that need it, and the report says which")."""

from __future__ import annotations

from domain.config import SAT_CHECK_CODES
from domain.findings import SkippedRule
from domain.folio import ClaimType, FolioManifest
from domain.kinds import DocumentKind as K

from .bank import declared_holder
from .csf import declared_rfc


def skipped_rules(manifest: FolioManifest, kinds: set[K]) -> list[SkippedRule]:
    m = manifest
    skipped = []

    def skip(code: str, why: str) -> None:
        skipped.append(SkippedRule(code=code, why=why))

    if K.TAX_STATUS_CERTIFICATE in kinds:
        rfc, source = declared_rfc(m)
        if not rfc:
            skip("CSF-004", f"no {source} declared")
    if K.BANK_STATEMENT in kinds:
        if not (m.bank and m.bank.clabe):
            skip("BANK-004", "no bank.clabe declared")
        if not declared_holder(m)[0]:
            skip("BANK-005", "no bank.holder, provider.name or holder.name declared")
    if K.CFDI_XML in kinds:
        if m.claim_type is ClaimType.REEMBOLSO and not (m.holder and m.holder.rfc):
            skip("CFDI-009", "no holder.rfc declared: invoices to the holder cannot be recognised")
        if not (m.policy and m.policy.valid_from and m.policy.valid_to):
            skip("CFDI-020", "no policy validity declared: only the 2-year limit was checked")
        if m.claim_type is ClaimType.PAGO_PROVEEDOR and not (m.provider and m.provider.care_order_account):
            skip("CFDI-018", "no provider.care_order_account declared")
    return skipped


SAT_CHECKS_OFF = "SAT checks switched off (CLAIM_INTAKE_SAT_CHECKS=false): SAT was not asked"


def sat_checks_off() -> list[SkippedRule]:
    """Every SAT rule, whatever the folio holds: the contract says every decision lists them, and
    a folio without an invoice today may get one by re-upload, judged under the same switch."""
    return [SkippedRule(code=code, why=SAT_CHECKS_OFF) for code in SAT_CHECK_CODES]
