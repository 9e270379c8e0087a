"""What a dead worker left undone: uploads the intake API accepted that no decision answers.

Every accepted upload opens a round of its folio (storage folio_rounds) and notes the flow run
it was handed; a decision closes the round in its own transaction, and a round is decided once
(a run repeated after a crash records nothing new). So after a worker machine dies mid-batch,
what is left is exactly the rounds still open, and re-running them is safe. Which to re-run:

- the round's run has ended (CRASHED: Prefect noticed the dead worker; FAILED, CANCELLED; or even
  COMPLETED, if it ended without deciding the folio): now;
- its run still counts as live (SCHEDULED, PENDING, RUNNING...), or no run was noted (the
  dispatcher still holds it, or the API died before handing it over): only once the round is
  older than `stuck_after_s`, so a folio still on its way is not run twice for nothing.

The caller says which runs are live (`live_runs`, Prefect's answer): the application does not
import Prefect."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage import Storage
from storage.state import OpenRound


@dataclass(frozen=True)
class RecoveryPlan:
    rerun: list[OpenRound] = field(default_factory=list)  # run these folios again now
    in_flight: list[OpenRound] = field(default_factory=list)  # left to the live run they were handed


def plan_recovery(
    storage: Storage,
    now: datetime,
    live_runs: Callable[[list[str]], Iterable[str]],
    stuck_after_s: float,
    limit: int = 500,
) -> RecoveryPlan:
    """The open rounds accepted before `now`, split into those to re-run and those in flight."""
    open_rounds = storage.state.undecided(now, limit)
    handed = sorted({r.flow_run for r in open_rounds if r.flow_run})
    live = set(live_runs(handed)) if handed else set()
    stuck_before = now - timedelta(seconds=stuck_after_s)
    plan = RecoveryPlan()
    for r in open_rounds:
        ended = r.flow_run is not None and r.flow_run not in live
        (plan.rerun if ended or r.accepted_at < stuck_before else plan.in_flight).append(r)
    return plan
