"""flows/automations.py against a real Prefect server (the session's test harness): the two
automations are created once, matched to the deployments registered on the `claim-intake` pool,
and running it again (every `scripts/up`) replaces them instead of adding copies. Also: Prefect's
server accepts deploy/k8s/base-job-template.json for a `kubernetes` pool (without
prefect-kubernetes, which only the worker needs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.settings import PREFECT_API_URL

from flows.automations import HEARTBEAT_S, RECOVERY, SILENCE_S, ZOMBIES, ensure_automations

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("prefect_harness")


def _deployment(client, flow: str, name: str, pool: str) -> str:
    flow_id = client.create_flow_from_name(flow)
    return str(client.create_deployment(flow_id=flow_id, name=name, work_pool_name=pool))


@pytest.fixture
def deployments() -> dict[str, str]:
    """The deployments of prefect.yaml that the automations name, plus one on another pool."""
    with get_client(sync_client=True) as client:
        for pool in ("claim-intake", "elsewhere"):
            try:
                client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
            except Exception:  # noqa: BLE001 - ObjectAlreadyExists: created by an earlier test
                pass
        ids = {
            name: _deployment(client, name, name, "claim-intake")
            for name in ("intake-batch", "intake-folio", "recover-undecided", "sweep-awaiting-sat")
        }
        ids["other"] = _deployment(client, "other-" + uuid4().hex[:6], "other", "elsewhere")
    return ids


def _related_ids(automation) -> set[str]:
    related = automation.trigger.match_related
    (spec,) = related if isinstance(related, list) else [related]
    ids = spec.root["prefect.resource.id"]
    return {i.removeprefix("prefect.deployment.") for i in ([ids] if isinstance(ids, str) else ids)}


def test_automations_are_created_once_and_watch_only_our_deployments(deployments):
    with get_client(sync_client=True) as client:
        first = ensure_automations(client)
        second = ensure_automations(client)  # scripts/up runs it on every start
        assert first == second
        zombies = client.read_automations_by_name(ZOMBIES)
        recovery = client.read_automations_by_name(RECOVERY)
    assert len(zombies) == 1 and len(recovery) == 1

    (zombie,) = zombies
    trigger = zombie.trigger
    assert trigger.posture == "Proactive" and trigger.within.total_seconds() == SILENCE_S
    assert SILENCE_S >= 3 * HEARTBEAT_S  # two beats may be lost before a live run is called dead
    assert "prefect.flow-run.heartbeat" in trigger.after and trigger.expect == {"prefect.flow-run.*"}
    assert trigger.for_each == {"prefect.resource.id"}
    assert zombie.actions[0].type == "change-flow-run-state" and zombie.actions[0].state == "CRASHED"
    watched = _related_ids(zombie)
    assert {deployments[n] for n in ("intake-batch", "intake-folio", "sweep-awaiting-sat")} <= watched
    assert deployments["other"] not in watched  # a run that may beat every 180 s is left alone

    (recover,) = recovery
    assert recover.trigger.posture == "Reactive" and recover.trigger.expect == {
        "prefect.flow-run.Crashed",
        "prefect.flow-run.Failed",
    }
    assert _related_ids(recover) == {deployments["intake-batch"], deployments["intake-folio"]}
    assert recover.actions[0].type == "run-deployment"
    assert str(recover.actions[0].deployment_id) == deployments["recover-undecided"]


def test_kubernetes_pool_accepts_the_base_job_template():
    """The command of docs/deploy.md, against a real server; what it stores is the file."""
    template = ROOT / "deploy" / "k8s" / "base-job-template.json"
    name = "claim-intake-k8s-" + uuid4().hex[:6]
    done = subprocess.run(
        [sys.executable, "-m", "prefect", "work-pool", "create", name, "--type", "kubernetes",
         "--base-job-template", str(template)],
        capture_output=True,
        text=True,
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},  # the harness's server
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        pool = client.read_work_pool(name)
    assert pool.type == "kubernetes"
    assert pool.base_job_template == json.loads(template.read_text())
