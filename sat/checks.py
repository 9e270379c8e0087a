"""The SAT checks of one folio: ask (or take from the cache) what SAT says about each CFDI and
each tax-status certificate, then let validators.sat turn the answers into findings.

Within one folio, once SAT failed to answer (timeout, connection, open circuit), the remaining
documents of that service are not asked: they get the same `retry` finding at once, so an outage
costs one bounded call per service and folio, not one per document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from domain.config import Settings
from domain.findings import Finding
from domain.kinds import DocumentKind as K
from storage.sat_cache import SatStatusCache
from validators.sat import CfdiSatAnswer, CsfSatAnswer, cfdi_sat_findings, csf_sat_findings

from .csf_check import CsfCheckClient
from .efos import EfosList, load_efos_list
from .ratelimit import DbRateLimiter
from .resilience import CIRCUIT_OPEN, CONNECTION, RATE_LIMITED, TIMEOUT, SatUnavailable
from .status import StatusClient

PDF = "application/pdf"
_OUTAGE = frozenset({TIMEOUT, CONNECTION, CIRCUIT_OPEN, RATE_LIMITED})
CFDI_KINDS = (K.CFDI_XML, K.PAYMENT_COMPLEMENT)


@dataclass
class SatServices:
    status: StatusClient
    csf: CsfCheckClient
    cache: SatStatusCache
    efos_source: str | None = None
    timeout_s: float = 10.0
    _efos: EfosList | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> SatServices:
        sat = settings.sat
        status_limit = DbRateLimiter(engine, "sat_status", sat.rate_per_s, sat.rate_burst)
        csf_limit = DbRateLimiter(engine, "sat_csf", sat.rate_per_s, sat.rate_burst)
        return cls(
            status=StatusClient.from_settings(sat, limiter=status_limit),
            csf=CsfCheckClient.from_settings(sat, limiter=csf_limit),
            cache=SatStatusCache(engine, timedelta(hours=sat.status_max_age_hours)),
            efos_source=sat.efos_list,
            timeout_s=sat.timeout_s,
        )

    def close(self) -> None:
        self.status.close()
        self.csf.close()

    def efos(self) -> EfosList | None:
        """The 69-B list when configured; raises SatUnavailable when it cannot be read."""
        if not self.efos_source:
            return None
        try:
            return load_efos_list(self.efos_source, timeout_s=max(self.timeout_s, 30.0))
        except OSError as exc:
            raise SatUnavailable(
                CONNECTION, f"cannot read {self.efos_source}: {exc.strerror or exc}", service="Listado 69-B"
            ) from None

    def cfdi_status(self, ext, *, adjudication_today: bool = False, now: datetime | None = None):
        cached = self.cache.get(ext.uuid, now=now, adjudication_today=adjudication_today)
        if cached is not None:
            return cached
        answer = self.status.consult_cfdi(ext)  # raises SatUnavailable: never cached
        self.cache.put(answer)
        return answer


def gather_answers(
    read: dict, services: SatServices, *, adjudication_today: bool = False, now: datetime | None = None
) -> dict[str, CfdiSatAnswer | CsfSatAnswer]:
    """file -> validators.sat.CfdiSatAnswer | CsfSatAnswer, for the documents SAT can be asked
    about: CFDIs with UUID, RFCs and total; PDF certificates with an RFC. Documents other rules
    already refuse for lacking those are left to those rules."""
    now = now or datetime.now(UTC)
    out: dict[str, CfdiSatAnswer | CsfSatAnswer] = {}
    status_outage: dict | None = None
    csf_outage: dict | None = None
    efos_list, efos_error = None, None
    for name, doc in sorted(read.items()):
        ext = doc.extraction
        if doc.unreadable or ext is None:
            continue
        if doc.kind in CFDI_KINDS:
            if not (ext.uuid and ext.issuer_rfc and ext.receiver_rfc and ext.total is not None):
                continue
            if efos_list is None and efos_error is None and services.efos_source:
                try:
                    efos_list = services.efos()
                except SatUnavailable as exc:
                    efos_error = exc.evidence()
            status, error = None, None
            if status_outage is not None:
                error = {
                    **status_outage,
                    "detail": "not asked: SAT failed for another CFDI of this folio",
                    "attempts": 0,
                }
                error.pop("raw_answer", None)
            else:
                try:
                    status = services.cfdi_status(ext, adjudication_today=adjudication_today, now=now)
                except SatUnavailable as exc:
                    error = exc.evidence()
                    if exc.kind in _OUTAGE:
                        status_outage = error
            out[name] = CfdiSatAnswer(
                uuid=ext.uuid.upper(),
                issuer_rfc=ext.issuer_rfc,
                status=status,
                status_error=error,
                efos_entry=efos_list.lookup(ext.issuer_rfc) if efos_list is not None else None,
                efos_error=efos_error,
            )
        elif doc.kind is K.TAX_STATUS_CERTIFICATE and doc.media_type == PDF and getattr(ext, "rfc", None):
            if not ext.id_cif:
                out[name] = CsfSatAnswer(
                    error={
                        "service": "Validador QR CSF",
                        "failed": "no_id_cif",
                        "detail": "no idCIF found on the certificate",
                        "attempts": 0,
                    }
                )
            elif csf_outage is not None:
                out[name] = CsfSatAnswer(
                    error={
                        **csf_outage,
                        "attempts": 0,
                        "detail": "not asked: SAT failed for another certificate of this folio",
                    }
                )
            else:
                try:
                    out[name] = CsfSatAnswer(online=services.csf.check(ext.rfc, ext.id_cif))
                except SatUnavailable as exc:
                    out[name] = CsfSatAnswer(error=exc.evidence())
                    if exc.kind in _OUTAGE:
                        csf_outage = exc.evidence()
    return out


class SatFindings(dict):
    """file -> SAT findings (what validate_documents adds to each file's own), plus `evidence`:
    file -> what SAT answered, for the document's `extracted` (pipeline.with_sat_evidence), so
    the raw answer stays with the decision even when it raised no finding (a Vigente invoice)."""

    def __init__(self, findings: dict[str, list[Finding]] | None = None, evidence: dict[str, dict] | None = None):
        super().__init__(findings or {})
        self.evidence: dict[str, dict] = evidence or {}


def answers_evidence(answers: dict[str, CfdiSatAnswer | CsfSatAnswer]) -> dict[str, dict]:
    """file -> {"sat_status": ...} / {"sat_csf_check": ...}: SAT's answers, raw text included.
    Failures are not listed here: they are in the CFDI-007/CSF-007 finding's evidence."""
    out: dict[str, dict] = {}
    for name, answer in answers.items():
        if isinstance(answer, CfdiSatAnswer):
            if answer.status is not None:
                out[name] = {"sat_status": answer.status.evidence()}
        elif answer.online is not None:
            out[name] = {"sat_csf_check": answer.online.evidence()}
    return out


def findings_from_answers(
    read: dict, answers: dict[str, CfdiSatAnswer | CsfSatAnswer], honorifics=(), legal_forms=()
) -> SatFindings:
    out = SatFindings(evidence=answers_evidence(answers))
    for name, answer in answers.items():
        if isinstance(answer, CfdiSatAnswer):
            found = cfdi_sat_findings(answer)
        else:
            found = csf_sat_findings(read[name].extraction, answer, honorifics, legal_forms)
        if found:
            out[name] = found
    return out


def sat_findings(
    read: dict,
    settings,
    engine: Engine,
    honorifics=(),
    *,
    legal_forms=(),
    adjudication_today: bool = False,
    services: SatServices | None = None,
    now: datetime | None = None,
) -> SatFindings:
    """file -> SAT findings for one folio's read documents (pipeline.read_documents output).
    `honorifics` and `legal_forms` are the rule set's, for CSF-008's name comparison; `now` is
    the moment the cache judges ages against (the sweep's clock; default: now)."""
    own = services is None
    services = services or SatServices.from_settings(settings, engine)
    try:
        answers = gather_answers(read, services, adjudication_today=adjudication_today, now=now)
    finally:
        if own:
            services.close()
    return findings_from_answers(read, answers, honorifics, legal_forms)
