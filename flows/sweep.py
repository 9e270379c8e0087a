"""The `sweep-awaiting-sat` flow: re-check the folios that wait only for SAT, and route them.

Scheduled (prefect.yaml, every 15 minutes). Each run lists the `awaiting_sat` queue oldest
first and re-evaluates the folios in batches, one task per batch (a task per folio would cost
more Prefect overhead than the work). Each folio goes through application.sweep.recheck_folio:
re-evaluated from storage alone — manifest, originals from the blob store, intake date of its
last decision — through the same evaluation as the intake (extraction cache included), every
SAT call of a batch through one set of clients (cache, shared rate limiter, circuit breakers).
Once a folio has waited longer than the rule set's `sat_retry_budget_hours` it goes to
adjudication with its CFDI-007/CSF-007 still in the decision. With the SAT checks switched off
(CLAIM_INTAKE_SAT_CHECKS=false) a waiting folio is re-evaluated without asking SAT, and its
decision lists the SAT rules as skipped, as the intake's do.

The clock is read here, never in validators; tests pass `now`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from application.record import producing_run
from application.services import current_services
from application.sweep import SweepResult, aware
from application.sweep import recheck_batch as recheck_folios
from domain.decision import Route
from domain.masking import install_masking


@task(retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def list_awaiting(limit: int | None = None) -> list[tuple[str, datetime]]:
    """(folio, since when it waits), oldest first."""
    rows = current_services().storage.state.queue(Route.AWAITING_SAT.value)
    return [(r["folio"], r["entered_at"]) for r in rows[: limit or None]]


@task(cache_policy=NO_CACHE)
def recheck_batch(batch: list[tuple[str, datetime]], now: datetime) -> list[SweepResult]:
    """One batch through one set of SAT clients (application.sweep.recheck_batch)."""
    with producing_run(flow_run.get_id()):  # the console links each decision to this run
        return recheck_folios(batch, now, current_services())


@flow(name="sweep-awaiting-sat", log_prints=False, persist_result=False)
def sweep_awaiting_sat(
    now: datetime | None = None, batch_size: int | None = None, limit: int | None = None
) -> list[SweepResult]:
    """Re-check every folio waiting in awaiting_sat (at most `limit`), `batch_size` per task."""
    install_masking()
    now = aware(now or datetime.now(UTC))
    size = batch_size or current_services().settings.sat_sweep_batch_size
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
