"""The awaiting_sat sweep's use case: re-evaluate one folio that waits only for SAT, from
storage alone, and record the decision when it changed; after the rule set's retry budget the
folio goes to adjudication with its `retry` findings still visible (RULES.md).

While SAT is still down (the breaker of every service the folio waits for is open) the folio is
left for the next sweep without reading it again. A re-evaluation that changes nothing (same
route, same codes) is not appended to the history, so an outage of hours does not bury the
folio's history under copies. The clock is the caller's (`now`), never read in validators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import validators
from domain.decision import Decision, Route
from domain.findings import Finding, Outcome
from sat.checks import SatServices

from .evaluate import evaluate_folio
from .folio_dir import InputError
from .originals import stored_folio_from_storage
from .record import record_decision
from .services import Services

# Which client's breaker stands for the service a retry finding names in its evidence.
_SERVICE_CLIENT = {"ConsultaCFDIService": "status", "Validador QR CSF": "csf"}
_WAITING = Route.AWAITING_SAT.value


@dataclass(frozen=True)
class SweepResult:
    """What the sweep did with one folio (also the row of the run's table artifact)."""

    folio: str
    before: str
    after: str
    outcome: str  # routed | still_waiting | deferred | budget_exhausted | error
    codes: str = ""
    detail: str = ""


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recheck_batch(batch: list[tuple[str, datetime]], now: datetime, services: Services) -> list[SweepResult]:
    """(folio, waiting since) pairs through one set of SAT clients: the rate limiter (shared
    through the state database with every other worker) and the breakers span the batch. A folio
    that fails for a bug is reported as `error` and the batch goes on."""
    sat = SatServices.from_settings(services.settings, services.storage.state.engine)
    out = []
    try:
        for folio, since in batch:
            try:
                out.append(recheck_folio(folio, since, now, sat, services))
            except Exception as exc:  # noqa: BLE001 - one folio's bug must not strand the others
                detail = f"{type(exc).__name__}: {exc}"[:300]
                out.append(SweepResult(folio, _WAITING, _WAITING, "error", detail=detail))
    finally:
        sat.close()
    return out


def recheck_folio(
    folio: str, waiting_since: datetime, now: datetime, sat: SatServices, services: Services
) -> SweepResult:
    """Re-evaluate one awaiting_sat folio with the batch's SAT clients (`sat`: their rate limit
    and breakers span the batch) and record the decision when it changed."""
    now, waiting_since = aware(now), aware(waiting_since)
    storage = services.storage
    exhausted = now - waiting_since >= timedelta(hours=services.ruleset.thresholds.sat_retry_budget_hours)
    previous = storage.state.last_decision(folio)
    if not exhausted and services.settings.sat_checks and _sat_still_down(previous, sat):
        return SweepResult(
            folio,
            _WAITING,
            _WAITING,
            "deferred",
            detail="SAT still unavailable (circuit open): left for the next sweep",
        )
    try:
        stored, as_of = stored_folio_from_storage(folio, storage)
    except InputError as exc:
        return SweepResult(folio, _WAITING, _WAITING, "error", detail=str(exc))
    # Going to adjudication today needs a status of today: asked so from the first SAT pass.
    evaluation = evaluate_folio(stored, services, as_of=as_of, now=now, sat=sat, adjudication_today=True)
    decision = evaluation.decision
    outcome = "routed" if decision.route is not Route.AWAITING_SAT else "still_waiting"
    if decision.route is Route.AWAITING_SAT and exhausted:
        decision = after_retry_budget(decision, storage.state.first_complete_at(folio), waiting_since)
        outcome = "budget_exhausted"
    codes = ", ".join(decision.codes())
    if previous is not None and previous.route == decision.route and previous.codes() == decision.codes():
        return SweepResult(
            folio, _WAITING, decision.route.value, outcome, codes, "unchanged: not appended to the history"
        )
    record_decision(decision, evaluation.uuids, storage)
    return SweepResult(folio, _WAITING, decision.route.value, outcome, codes)


def _sat_still_down(previous: Decision | None, sat: SatServices) -> bool:
    """Every SAT service the folio's open retry findings wait for has its breaker open."""
    breakers = {"status": sat.status.breaker, "csf": sat.csf.breaker}
    needed = _waiting_for(previous)
    chosen = [breakers[s] for s in needed]
    return "other" not in needed and all(b is not None and b.state == "open" for b in chosen)


def _waiting_for(decision: Decision | None) -> set[str]:
    """The SAT services the folio's open retry findings wait for ('status', 'csf'), or
    {'other'} when one of them is not a web service with a breaker (the 69-B list, no idCIF)."""
    if decision is None:
        return {"other"}
    findings = list(decision.folio_findings) + [f for d in decision.documents for f in d.findings]
    return {
        _SERVICE_CLIENT.get(str(f.evidence.get("service")), "other") for f in findings if f.outcome is Outcome.RETRY
    } or {"other"}


def after_retry_budget(
    decision: Decision, first_complete_at: datetime | None = None, waiting_since: datetime | None = None
) -> Decision:
    """RULES.md: after the retry budget a folio goes to adjudication with its `retry` findings
    still visible (never silently). Only an awaiting_sat decision changes: a reject still wins.
    Each open retry finding's evidence says the budget ran out and since when it waited."""
    if decision.route is not Route.AWAITING_SAT:
        return decision
    note: dict[str, object] = {"retry_budget_exhausted": True}
    if waiting_since is not None:
        note["awaiting_sat_since"] = waiting_since.isoformat()

    def mark(findings: list[Finding]) -> list[Finding]:
        return [
            f.model_copy(update={"evidence": {**f.evidence, **note}}) if f.outcome is Outcome.RETRY else f
            for f in findings
        ]

    documents = [d.model_copy(update={"findings": mark(d.findings)}) for d in decision.documents]
    folio_findings = mark(decision.folio_findings)
    every = folio_findings + [f for d in documents for f in d.findings]
    route = validators.routing.route_for(every, retry_budget_exhausted=True)
    complete_at, due = validators.routing.completion(route, decision.evaluated_at, first_complete_at)
    return decision.model_copy(
        update={
            "route": route,
            "documents": documents,
            "folio_findings": folio_findings,
            "complete_at": complete_at,
            "payment_due": due,
        }
    )
