"""The `sweep-awaiting-sat` flow: re-check the folios that wait only for SAT, and route them.

Scheduled (prefect.yaml, every 15 minutes). Each run lists the `awaiting_sat` queue oldest
first and re-evaluates the folios in batches, one task per batch (a task per folio would cost
more Prefect overhead than the work). A folio is re-evaluated from storage alone — manifest,
originals from the blob store, intake date of its last decision — exactly as the intake does,
with every SAT call going through the same clients, cache, shared rate limiter and circuit
breaker. While SAT is still down (the breaker of every service a folio waits for is open), the
folio is left for the next sweep without reading it again. Once a folio has waited longer than
the rule set's `sat_retry_budget_hours` it goes to adjudication with its CFDI-007/CSF-007 still
in the decision. A re-evaluation that changes nothing (same route, same codes) is not appended
to the history, so an outage of hours does not bury the folio's history under copies. With the
SAT checks switched off (CLAIM_INTAKE_SAT_CHECKS=false) a waiting folio is re-evaluated without
asking SAT, and its decision lists the SAT rules as skipped, as the intake's do.

The clock is read here, never in validators; tests pass `now`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from application import pipeline
from domain.config import Ruleset, Settings
from domain.decision import Decision, Route
from domain.findings import Outcome
from domain.masking import install_masking
from flows.intake import _context
from reports.render import write_folio_report
from storage import Storage

# Which client's breaker stands for the service a retry finding names in its evidence.
_SERVICE_CLIENT = {"ConsultaCFDIService": "status", "Validador QR CSF": "csf"}


@dataclass(frozen=True)
class SweepResult:
    """What the sweep did with one folio (also the row of the run's table artifact)."""

    folio: str
    before: str
    after: str
    outcome: str  # routed | still_waiting | deferred | budget_exhausted | error
    codes: str = ""
    detail: str = ""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _waiting_for(decision: Decision | None) -> set[str]:
    """The SAT services the folio's open retry findings wait for ('status', 'csf'), or
    {'other'} when one of them is not a web service with a breaker (the 69-B list, no idCIF)."""
    if decision is None:
        return {"other"}
    findings = list(decision.folio_findings) + [f for d in decision.documents for f in d.findings]
    return {
        _SERVICE_CLIENT.get(str(f.evidence.get("service")), "other") for f in findings if f.outcome is Outcome.RETRY
    } or {"other"}


def recheck_folio(
    folio: str,
    waiting_since: datetime,
    now: datetime,
    services,
    settings: Settings,
    ruleset: Ruleset,
    storage: Storage,
    trust_store=None,
    stamp_certificates=None,
) -> SweepResult:
    """Re-evaluate one awaiting_sat folio and record the decision when it changed."""
    from sat.checks import sat_findings

    now, waiting_since = _aware(now), _aware(waiting_since)
    budget = timedelta(hours=ruleset.thresholds.sat_retry_budget_hours)
    exhausted = now - waiting_since >= budget
    previous = storage.state.last_decision(folio)
    if not exhausted and settings.sat_checks:
        breakers = {"status": services.status.breaker, "csf": services.csf.breaker}
        needed = _waiting_for(previous)
        if "other" not in needed and all(breakers[s] is not None and breakers[s].state == "open" for s in needed):
            return SweepResult(
                folio,
                Route.AWAITING_SAT.value,
                Route.AWAITING_SAT.value,
                "deferred",
                detail="SAT still unavailable (circuit open): left for the next sweep",
            )
    try:
        stored, as_of = pipeline.stored_folio_from_storage(folio, storage)
    except pipeline.InputError as exc:
        return SweepResult(folio, Route.AWAITING_SAT.value, Route.AWAITING_SAT.value, "error", detail=str(exc))
    packaging = pipeline.check_packaging(stored, ruleset)
    read = pipeline.read_documents(stored, packaging, ruleset, trust_store, stamp_certificates)
    uuids = pipeline.cfdi_uuids(read)
    known = storage.state.folios_with_uuids(sorted(uuids), folio)
    first_complete_at = storage.state.first_complete_at(folio)
    sat = None
    if settings.sat_checks:  # switched off since the folio began to wait: SAT is not asked
        # Going to adjudication today needs a status of today: ask with adjudication_today.
        sat = sat_findings(
            read,
            settings,
            storage.state.engine,
            ruleset.honorifics,
            legal_forms=ruleset.legal_forms,
            adjudication_today=True,
            services=services,
            now=now,
        )
    doc_findings = pipeline.validate_documents(stored, read, ruleset, as_of, known, sat)
    decision = pipeline.decide(stored, packaging, read, doc_findings, ruleset, as_of, now, first_complete_at)
    decision = pipeline.with_sat_evidence(decision, getattr(sat, "evidence", None))
    if not settings.sat_checks:
        decision = pipeline.without_sat(decision)
    outcome = "routed" if decision.route is not Route.AWAITING_SAT else "still_waiting"
    if decision.route is Route.AWAITING_SAT and exhausted:
        decision = pipeline.after_retry_budget(decision, first_complete_at, waiting_since)
        outcome = "budget_exhausted"
    codes = ", ".join(decision.codes())
    if previous is not None and previous.route == decision.route and previous.codes() == decision.codes():
        return SweepResult(
            folio,
            Route.AWAITING_SAT.value,
            decision.route.value,
            outcome,
            codes,
            "unchanged: not appended to the history",
        )
    storage.state.record_decision(decision, uuids)
    history = storage.state.history(folio)
    write_folio_report(
        decision, storage.reports_dir, len(history), history=history, manifest=storage.state.manifest(folio)
    )
    return SweepResult(folio, Route.AWAITING_SAT.value, decision.route.value, outcome, codes)


@task(retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def list_awaiting(limit: int | None = None) -> list[tuple[str, datetime]]:
    """(folio, since when it waits), oldest first."""
    _, _, storage = _context()
    rows = storage.state.queue(Route.AWAITING_SAT.value)
    return [(r["folio"], r["entered_at"]) for r in rows[: limit or None]]


@task(cache_policy=NO_CACHE)
def recheck_batch(batch: list[tuple[str, datetime]], now: datetime) -> list[SweepResult]:
    """One batch through one set of SAT clients: the rate limiter (shared through the state
    database with every other worker) and the breakers span the batch. A folio that fails for a
    bug is reported as `error` and the batch goes on."""
    from sat.checks import SatServices

    settings, ruleset, storage = _context()
    trust, stamps = pipeline.load_trust_store(settings), pipeline.load_stamp_certificates(settings)
    services = SatServices.from_settings(settings, storage.state.engine)
    out = []
    try:
        for folio, since in batch:
            try:
                out.append(recheck_folio(folio, since, now, services, settings, ruleset, storage, trust, stamps))
            except Exception as exc:  # noqa: BLE001 - one folio's bug must not strand the others
                out.append(
                    SweepResult(
                        folio,
                        Route.AWAITING_SAT.value,
                        Route.AWAITING_SAT.value,
                        "error",
                        detail=f"{type(exc).__name__}: {exc}"[:300],
                    )
                )
    finally:
        services.close()
    return out


@flow(name="sweep-awaiting-sat", log_prints=False, persist_result=False)
def sweep_awaiting_sat(
    now: datetime | None = None, batch_size: int | None = None, limit: int | None = None
) -> list[SweepResult]:
    """Re-check every folio waiting in awaiting_sat (at most `limit`), `batch_size` per task."""
    install_masking()
    settings, _, _ = _context()
    now = _aware(now or datetime.now(UTC))
    size = batch_size or settings.sat_sweep_batch_size
    waiting = list_awaiting(limit)
    results: list[SweepResult] = []
    for start in range(0, len(waiting), size):
        results += recheck_batch(waiting[start : start + size], now)
    if results:
        create_table_artifact(
            key="sweep-awaiting-sat",
            table=[asdict(r) for r in results],
            description=f"awaiting_sat sweep at {now.isoformat()}: {len(results)} folio(s)",
        )
    return results


if __name__ == "__main__":  # pragma: no cover
    sweep_awaiting_sat()
