"""A worker machine dies mid-batch and Prefect notices, within a bounded time.

The stack of scripts/up (Prefect server on PostgreSQL, deployments, the automations of
flows/automations.py, the intake API) runs without workers of its own; the test starts a worker
as "machine A", a process tree in its own session, made slow by tests/e2e/slow_machine (test
code only: 2 s more per folio, so its batch surely runs long enough), posts a batch of folios,
and once that run is RUNNING kills every process of machine A with SIGKILL (the worker, the
flow-run process in its own session, the readers: nothing is left to report the run's end). The run must become CRASHED through
the heartbeat automation within BOUND_S of the kill, and the recovery automation must have
started a run of recover-undecided, which "machine B", a fresh worker, then completes.

The kill-to-CRASHED time is printed (pytest -s) and, with CRASH_TIMES_FILE set, appended
there: docs/deploy.md gives the measured times."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from stack import running_stack, stack_logs

from flows.automations import HEARTBEAT_S, SILENCE_S

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"
DIGITAL = ["RB-2026-000101", "DF-2026-000301", "AC-2026-000401", "PP-2026-000201"]
BATCH = 20  # one intake-batch run: CLAIM_INTAKE_API_BATCH_MAX
SLOW_MACHINE = dict(
    PYTHONPATH=str(Path(__file__).parent / "slow_machine"),
    CLAIM_INTAKE_TEST_SLOW_CALL="application.intake:take_in_accepted",
    CLAIM_INTAKE_TEST_SLOW_S="2",
)
BOUND_S = 120  # the promise of docs/deploy.md: a dead worker's run is CRASHED within 2 minutes


@pytest.fixture
def stack(tmp_path, postgres_server, moto_endpoint, s3_bucket):
    settings = dict(
        WORKERS="0",  # the workers are the test's "machines", so that one can die
        PREFECT_API_DATABASE_CONNECTION_URL=postgres_server.create_database("prefect").replace("+psycopg", "+asyncpg"),
        CLAIM_INTAKE_DATABASE_URL=postgres_server.create_database("claims"),
        CLAIM_INTAKE_BLOB_URL=f"s3://{s3_bucket}/claims",
        CLAIM_INTAKE_S3_ENDPOINT_URL=moto_endpoint,
        CLAIM_INTAKE_API_BATCH_WINDOW_S="3",
        CLAIM_INTAKE_API_BATCH_MAX=str(BATCH),
    )
    with running_stack(tmp_path, settings) as up:
        yield up, tmp_path


def start_machine(up, tmp_path: Path, name: str, **extra_env: str) -> subprocess.Popen:
    """A worker in a session of its own, with its own PREFECT_HOME and working directory."""
    workdir = tmp_path / name
    (workdir / "prefect-home").mkdir(parents=True)
    env = dict(
        up.env,
        CLAIM_INTAKE_ROOT=str(ROOT),
        PREFECT_API_URL=f"http://127.0.0.1:{up.env['PREFECT_PORT']}/api",
        PREFECT_HOME=str(workdir / "prefect-home"),
        **extra_env,
    )
    # this checkout's code, as scripts/up gives its own processes (the venv may be another's)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_env.get("PYTHONPATH"), str(ROOT)) if p)
    with open(tmp_path / "up" / "logs" / f"{name}.log", "wb") as log:
        return subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "prefect"), "worker", "start", "--pool", "claim-intake", "--name", name],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it, read from /proc (the flow-run process a
    process worker starts has a session of its own, so killing the worker's group is not enough)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # exited while we looked
        ppid = int(text.rsplit(")", 1)[1].split()[1])  # after "pid (name)": state, ppid, ...
        children.setdefault(ppid, []).append(int(text.split(" ", 1)[0]))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_machine(machine: subprocess.Popen) -> list[int]:
    """SIGKILL to the worker and everything it started, at once, as when the machine dies."""
    tree = process_tree(machine.pid)
    for pid in tree:
        try:
            os.kill(pid, signal.SIGSTOP)  # freeze first: nobody gets to react to the others' death
        except ProcessLookupError:
            pass
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return tree


def folio_parts(n: int) -> list:
    source = SAMPLES / DIGITAL[n % len(DIGITAL)]
    manifest = json.loads((source / "folio.json").read_bytes())
    manifest["folio"] = f"CRASH-{n:05d}"
    parts = [("manifest", ("folio.json", json.dumps(manifest).encode(), "application/json"))]
    return parts + [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(source.iterdir())
        if p.name != "folio.json"
    ]


def runs_of(prefect: httpx.Client, deployment: str, states: list[str] | None = None) -> list[dict]:
    body: dict = {"deployments": {"name": {"any_": [deployment]}}}
    if states:
        body["flow_runs"] = {"state": {"type": {"any_": states}}}
    r = prefect.post("/flow_runs/filter", json=body)
    r.raise_for_status()
    return r.json()


def wait_for(what: str, check, timeout: float, tmp_path: Path, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout} s" + stack_logs(tmp_path))


@pytest.mark.slow
def test_killed_worker_run_is_crashed_in_time_and_recovery_starts(stack):
    up, tmp_path = stack
    key = subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", "api-key", "create", "online-services"],
        env=up.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    prefect = httpx.Client(base_url=f"http://127.0.0.1:{up.env['PREFECT_PORT']}/api", timeout=30)
    automations = {a["name"]: a for a in prefect.post("/automations/filter", json={}).json()}
    zombies = automations["claim-intake: crash runs whose heartbeats stopped"]
    assert zombies["enabled"] and zombies["trigger"]["within"] == SILENCE_S

    # machine A takes 2 s more per folio (tests/e2e/slow_machine, test-only), so its batch of
    # BATCH folios runs for 40 s or more and is surely killed in the middle
    machine_a = start_machine(up, tmp_path, "machine-a", **SLOW_MACHINE)
    try:
        with httpx.Client(base_url=up.api, headers={"X-API-Key": key}, timeout=60) as api:
            for n in range(BATCH):
                assert api.post("/folios", files=folio_parts(n)).status_code == 202
        run = wait_for(
            "an intake-batch run RUNNING on machine A",
            lambda: runs_of(prefect, "intake-batch", ["RUNNING"]),
            120,
            tmp_path,
        )[0]
        # mid-batch: its first heartbeat has gone out, its folios are being decided; where the kill
        # falls between two heartbeats sets the time to CRASHED (CRASH_KILL_AFTER_S varies it)
        time.sleep(float(os.environ.get("CRASH_KILL_AFTER_S", "3")))
    finally:
        killed = kill_machine(machine_a)  # the machine dies: worker, flow-run process, readers
        killed_at = datetime.now(UTC)
        machine_a.wait(10)
    assert len(killed) >= 2, "the worker had started no flow-run process"
    time.sleep(1)
    assert not [pid for pid in killed if alive(pid)], "a process of machine A survived"
    assert prefect.get(f"/flow_runs/{run['id']}").json()["state_type"] == "RUNNING", "killed after it finished"

    def crashed():
        state = prefect.get(f"/flow_runs/{run['id']}").json()["state"]
        return state if state["type"] == "CRASHED" else None

    state = wait_for("the killed run CRASHED", crashed, BOUND_S + 30, tmp_path, interval=1)
    seconds = (datetime.fromisoformat(state["timestamp"]) - killed_at).total_seconds()
    print(f"\nkill -> CRASHED: {seconds:.1f} s (heartbeat {HEARTBEAT_S} s, window {SILENCE_S} s)")
    if out := os.environ.get("CRASH_TIMES_FILE"):
        with open(out, "a") as f:
            f.write(f"{seconds:.1f}\n")
    assert "No heartbeat" in state["message"], state  # the heartbeat automation did it, not a worker
    assert SILENCE_S - HEARTBEAT_S - 5 <= seconds <= BOUND_S, seconds

    recovery = wait_for(
        "a recover-undecided run started by the automation",
        lambda: runs_of(prefect, "recover-undecided"),
        30,
        tmp_path,
    )
    assert len(recovery) == 1, recovery
    machine_b = start_machine(up, tmp_path, "machine-b")  # a replacement machine picks it up
    try:
        done = wait_for(
            "recover-undecided COMPLETED on machine B",
            lambda: runs_of(prefect, "recover-undecided", ["COMPLETED", "FAILED", "CRASHED"]),
            120,
            tmp_path,
            interval=1,
        )
        assert done[0]["state_type"] == "COMPLETED", done
    finally:
        os.killpg(machine_b.pid, signal.SIGTERM)
        try:
            machine_b.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(machine_b.pid, signal.SIGKILL)
        prefect.close()
