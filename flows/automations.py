"""The Prefect automations of the deployed path, created or brought up to date by name.

`python -m flows.automations` (scripts/up runs it after `prefect deploy --all`; run it again
whenever prefect.yaml's deployments change) makes the server hold exactly two automations:

- `claim-intake: crash runs whose heartbeats stopped`. When a worker machine dies (kill -9 of
  the worker and of the flow-run process), nobody is left to report the run's end, and Prefect
  keeps it RUNNING forever. Every flow run of our deployments sends a heartbeat event every
  HEARTBEAT_S seconds (`PREFECT_FLOWS_HEARTBEAT_FREQUENCY`, set for every deployment in
  prefect.yaml, so it travels with the deployment to any worker on any machine). After a
  heartbeat (or the Running state that precedes the first one) the server expects some event of
  the same run within SILENCE_S; if none comes, the run is set CRASHED. This is
  Prefect's own zombie detection ("detect zombie flows" in Prefect's docs): the server decides,
  so it works whatever died, and needs no watchdog process of ours.
- `claim-intake: recover after an intake run crashed`. A run of `intake-batch` or
  `intake-folio` entering CRASHED (by the automation above, or by its worker when only the
  flow-run process died), or FAILED (a batch that could not decide some folios for a reason that
  is not theirs, flows/intake.py BatchIncomplete), starts a run of `recover-undecided/recover-undecided`
  (flows/recover.py), which finishes the folios that run left without a decision.

Both watch only the runs of the deployments on the `claim-intake` work pool: a run from
elsewhere (a flow run in the API process, a deployment registered without the heartbeat
setting, whose runs beat every 180 s by Prefect's default) is never declared dead by a window
made for 30-second beats.

Why these numbers: 30 s is the shortest heartbeat Prefect allows (`ge=30`); a window of three
beats lets two in a row be lost or late (a busy worker, a slow server) before a live run is
declared dead. The server checks proactive triggers every 5 s, so a dead run is CRASHED
between SILENCE_S - HEARTBEAT_S and SILENCE_S + 5 s after the machine died (docs/deploy.md has
the measured times)."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import WorkPoolFilter, WorkPoolFilterName
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState, RunDeployment
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

log = logging.getLogger("claim_intake.flows.automations")

POOL = "claim-intake"
HEARTBEAT_S = 30  # PREFECT_FLOWS_HEARTBEAT_FREQUENCY of every deployment in prefect.yaml
SILENCE_S = 90  # no event of a run for this long after a heartbeat: the run is dead
INTAKE_DEPLOYMENTS = ("intake-batch/intake-batch", "intake-folio/intake-folio")
RECOVERY_DEPLOYMENT = "recover-undecided/recover-undecided"
ZOMBIES = "claim-intake: crash runs whose heartbeats stopped"
RECOVERY = "claim-intake: recover after an intake run crashed"


def _runs_of(deployment_ids: list[UUID]) -> ResourceSpecification:
    """Events related to a run of one of these deployments."""
    return ResourceSpecification(
        {
            "prefect.resource.role": "deployment",
            "prefect.resource.id": [f"prefect.deployment.{d}" for d in sorted(deployment_ids, key=str)],
        }
    )


def zombie_automation(deployment_ids: list[UUID]) -> AutomationCore:
    """Set CRASHED a run of these deployments that went SILENCE_S without an event."""
    return AutomationCore(
        name=ZOMBIES,
        enabled=True,
        description=f"A flow run on the {POOL} pool beats every {HEARTBEAT_S} s (prefect.yaml); "
        f"no event for {SILENCE_S} s means its machine died. Created by flows/automations.py.",
        trigger=EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=_runs_of(deployment_ids),
            # not after Pending: a Kubernetes pod may wait minutes for a node, alive and silent
            after={"prefect.flow-run.heartbeat", "prefect.flow-run.Running"},
            expect={"prefect.flow-run.*"},  # another beat or any state change, custom names too
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=SILENCE_S),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"No heartbeat for {SILENCE_S} s: its worker or machine is gone.",
            )
        ],
    )


def recovery_automation(intake_ids: list[UUID], recovery_id: UUID) -> AutomationCore:
    """Start recover-undecided each time an intake run enters CRASHED, or FAILED (a batch whose
    folios failed for a reason that is not theirs ends FAILED: flows/intake.py BatchIncomplete)."""
    return AutomationCore(
        name=RECOVERY,
        enabled=True,
        description="A crashed intake run may leave folios without a decision; "
        "recover-undecided finishes them. Created by flows/automations.py.",
        trigger=EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=_runs_of(intake_ids),
            expect={"prefect.flow-run.Crashed", "prefect.flow-run.Failed"},
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[RunDeployment(source="selected", deployment_id=recovery_id, parameters=None)],
    )


def upsert(client: SyncPrefectClient, automation: AutomationCore) -> UUID:
    """Create the automation, or replace the one of the same name (extra copies are deleted)."""
    existing = client.read_automations_by_name(automation.name)
    if not existing:
        return client.create_automation(automation)
    keep, *extra = existing
    client.update_automation(keep.id, automation)
    for duplicate in extra:
        client.delete_automation(duplicate.id)
    return keep.id


def ensure_automations(client: SyncPrefectClient) -> dict[str, UUID]:
    """Both automations, matching the deployments registered now; their ids by name."""
    pool = WorkPoolFilter(name=WorkPoolFilterName(any_=[POOL]))
    on_pool = [d.id for d in client.read_deployments(work_pool_filter=pool)]
    intake = [client.read_deployment_by_name(name).id for name in INTAKE_DEPLOYMENTS]
    recovery = client.read_deployment_by_name(RECOVERY_DEPLOYMENT).id
    return {
        ZOMBIES: upsert(client, zombie_automation(on_pool)),
        RECOVERY: upsert(client, recovery_automation(intake, recovery)),
    }


def main() -> None:
    with get_client(sync_client=True) as client:
        for name, automation_id in ensure_automations(client).items():
            print(f"automation {name!r}: {automation_id}")


if __name__ == "__main__":
    main()
