"""The `recover-undecided` flow: finish the uploads a dead worker left without a decision.

Started by the automation `claim-intake: recover after an intake run crashed`
(flows/automations.py) each time a run of `intake-batch` or `intake-folio` enters CRASHED, be it
because its worker noticed the flow-run process die or because its heartbeats stopped (a dead
machine), and every few minutes by its schedule (prefect.yaml), which also catches an upload
whose run was never started (an API replica that died between accepting and handing it over).

Which uploads: application.recover.plan_recovery, from the rounds in the state database and
what Prefect says of the runs they were handed. They run again through intake-batch, as a
subflow of this run; a round some other run decided meanwhile records nothing (exactly one
decision per upload), so running one twice is only wasted work, never a second decision."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from application.recover import plan_recovery
from application.services import current_services
from domain.masking import install_masking

from .intake import intake_batch
from .run_states import state_types

log = logging.getLogger("claim_intake.flows")

_ENDED = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _live_runs(run_ids: list[str]) -> set[str]:
    """Those of `run_ids` Prefect does not know to have ended (a run it no longer knows has)."""
    return {run for run, state in state_types(run_ids).items() if state is None or state not in _ENDED}


@flow(name="recover-undecided", log_prints=False, persist_result=False)
def recover_undecided() -> dict[str, str]:
    """Re-run the accepted uploads that no decision answers and whose run has ended (or that
    waited longer than `recover_stuck_after_s`); folio -> route."""
    install_masking()
    services = current_services()
    plan = plan_recovery(services.storage, datetime.now(UTC), _live_runs, services.settings.recovery.stuck_after_s)
    log.info(
        "recover-undecided: %d upload(s) to run again, %d still with a live run", len(plan.rerun), len(plan.in_flight)
    )
    if not plan.rerun:
        return {}
    # handed to this run now: a second recovery leaves them alone while this one is alive
    services.storage.state.set_round_runs([(r.folio, r.round) for r in plan.rerun], flow_run.get_id())
    routes = intake_batch([r.folio for r in plan.rerun])
    create_table_artifact(
        key="recover-undecided",
        table=[
            {
                "folio": r.folio,
                "upload": str(r.round),
                "left by run": r.flow_run or "-",
                "route": routes.get(r.folio, "-"),
            }
            for r in plan.rerun
        ],
        description=f"{len(plan.rerun)} upload(s) a dead or stuck run left without a decision, run again",
    )
    return routes
