"""Two worker machines, one killed mid-batch: every folio decided once, as one process decides it.

The multi-machine test of issue 17 (item 4) and the crash test in one stack, so CI pays for one.
On this host: scripts/up runs the Prefect server on PostgreSQL, the deployments, the automations
of flows/automations.py and the intake API (one "machine", whose CLAIM_INTAKE_HOME the Prefect
server shares); moto's S3 server holds the originals. The test adds two worker "machines", each a
process tree in its own session with its own working directory, CLAIM_INTAKE_HOME, PREFECT_HOME
and TMPDIR, sharing with the others only PostgreSQL, S3, the Prefect API and the (read-only) code
checkout, where prefect.yaml's pull step puts every flow run (an image's /app on real machines). Machine A (one run at a time) is made slow by tests/e2e/slow_machine (test code
only: 2 s more per folio), so the batch it takes surely runs long enough; machine B is started
once A holds its batch and takes the rest. 200 folios are uploaded through the API, then machine A
dies (SIGKILL of its whole tree, after it decided some folios of its batch and before it decided
all of them). Then the test only waits, and checks:

- A's run becomes CRASHED through the heartbeat automation within BOUND_S of the kill, and the
  recovery automation's recover-undecided run completes on machine B;
- nothing of machine A survives (no worker, flow-run process, reader or tesseract: every process
  whose environment carries A's CLAIM_INTAKE_HOME is gone);
- each of the 200 folios has exactly one decision (history of 1, round (1, 1)) and one queue
  entry, within RECOVERED_S of the kill;
- each decision equals, but for its timestamps, the one take_in_folio gives the same folio in a
  single process with its own home and state database.

Which folios: copies of the sample folios without a CFDI (eight kinds, one a scanned JPEG read
by OCR) and copies of RB-2026-000101 whose CFDI is issued again with a UUID of its own per copy:
no two folios share a CFDI UUID, so no decision depends on the order in which the folios were
decided (CFDI-012, "UUID already submitted in another folio", would).

Printed (pytest -s) and, with CRASH_TIMES_FILE / RECOVERY_TIMES_FILE set, appended there: the
time from the kill to CRASHED and from the kill to the last folio decided (docs/deploy.md)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from stack import api_key, running_stack, stack_logs

from application.intake import take_in_folio
from application.services import services_for, shutdown
from domain.config import Settings
from flows.automations import HEARTBEAT_S, SILENCE_S
from samples.generate import fees_invoice
from storage import open_storage
from storage.schema import queue_entries

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"
# no CFDI: their decisions cannot depend on another folio's (DF-2026-000304 is a scan: OCR)
WITHOUT_CFDI = [
    "AC-2026-000401",
    "AC-2026-000402",
    "AC-2026-000403",
    "AC-2026-000404",
    "DF-2026-000301",
    "DF-2026-000302",
    "DF-2026-000303",
    "DF-2026-000304",
    "RB-2026-000104",
]
WITH_CFDI = "RB-2026-000101"  # its CFDI pair is issued again per copy, with a UUID of its own
FOLIOS = 200
EVERY_NTH_WITH_CFDI = 5  # 40 of the 200 carry a CFDI
BATCH = 25  # CLAIM_INTAKE_API_BATCH_MAX: machine A's batch, at 2 s a folio, runs ~50 s
SLOW_MACHINE = dict(
    PYTHONPATH=str(Path(__file__).parent / "slow_machine"),
    CLAIM_INTAKE_TEST_SLOW_CALL="application.intake:take_in_accepted",
    CLAIM_INTAKE_TEST_SLOW_S="2",
)
BOUND_S = 120  # the promise of docs/deploy.md: a dead worker's run is CRASHED within 2 minutes
RECOVERED_S = BOUND_S + 60  # ... and every folio it left is decided within another minute
TIMES = ("evaluated_at", "complete_at")  # when it was evaluated: the only fields two runs may differ in


@pytest.fixture
def stack(tmp_path, postgres_server, moto_endpoint, s3_bucket):
    claims_db = postgres_server.create_database("claims_machines")  # the server is shared by the session
    api_machine = tmp_path / "api-machine"  # the API's and the Prefect server's
    settings = dict(
        WORKERS="0",  # the workers are the test's "machines", so that one can die
        PREFECT_API_DATABASE_CONNECTION_URL=postgres_server.create_database("prefect_machines").replace(
            "+psycopg", "+asyncpg"
        ),
        CLAIM_INTAKE_DATABASE_URL=claims_db,
        CLAIM_INTAKE_BLOB_URL=f"s3://{s3_bucket}/claims",
        CLAIM_INTAKE_S3_ENDPOINT_URL=moto_endpoint,
        # the first uploads gather into one run for machine A; later ones wait while a run waits
        CLAIM_INTAKE_API_BATCH_WINDOW_S="3",
        CLAIM_INTAKE_API_BATCH_MAX=str(BATCH),
        CLAIM_INTAKE_API_MAX_WAITING_RUNS="1",
    )
    try:
        settings["TMPDIR"] = str(machine_tmp(api_machine))
        with running_stack(api_machine, settings) as up:
            yield up, api_machine, claims_db
    finally:
        for machine in (api_machine, tmp_path / "machine-a", tmp_path / "machine-b"):
            remove_machine_tmp(machine)


def machine_tmp(machine: Path) -> Path:
    """The machine's TMPDIR: short, since the reader pool's forkserver binds a Unix socket in it
    (108 bytes at most: a directory under pytest's tmp_path is too long); linked from the
    machine's directory."""
    machine.mkdir(parents=True, exist_ok=True)
    (machine / "tmp").symlink_to(tempfile.mkdtemp(prefix=f"{machine.name}-"))
    return (machine / "tmp").resolve()


def remove_machine_tmp(machine: Path) -> None:
    if (machine / "tmp").is_symlink():
        shutil.rmtree((machine / "tmp").resolve(), ignore_errors=True)


def folio_dirs(out: Path) -> list[Path]:
    """FOLIOS folio directories (see the module's docstring for which), named MM-00000..."""
    dirs = []
    for n in range(FOLIOS):
        name = f"MM-{n:05d}"
        target = out / name
        if n % EVERY_NTH_WITH_CFDI == 0:
            source = SAMPLES / WITH_CFDI
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.xml", "[0-9A-F]*.pdf"))
            uuid, xml, pdf = fees_invoice(name, 1)  # signed and stamped by the samples' test CSD and PAC
            (target / f"{uuid}.xml").write_bytes(xml)
            (target / f"{uuid}.pdf").write_bytes(pdf)
        else:
            shutil.copytree(SAMPLES / WITHOUT_CFDI[n % len(WITHOUT_CFDI)], target)
        manifest = json.loads((target / "folio.json").read_bytes())
        (target / "folio.json").write_text(json.dumps({**manifest, "folio": name}))
        dirs.append(target)
    return dirs


def upload_parts(folio_dir: Path) -> list:
    parts = [("manifest", ("folio.json", (folio_dir / "folio.json").read_bytes(), "application/json"))]
    return parts + [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(folio_dir.iterdir())
        if p.name != "folio.json"
    ]


def start_machine(up, machine: Path, limit: int, **extra_env: str) -> subprocess.Popen:
    """A process worker in a session of its own, as on a machine of its own: its own working
    directory, CLAIM_INTAKE_HOME (caches, reports before upload), PREFECT_HOME and TMPDIR. What
    it shares with the others is the code (this checkout, read-only, as every machine's image
    holds it at /app): prefect.yaml's pull step puts every flow run there, at the path
    CLAIM_INTAKE_ROOT had where `prefect deploy` ran."""
    tmp = machine_tmp(machine)
    (machine / "prefect-home").mkdir()
    env = dict(
        up.env,
        CLAIM_INTAKE_ROOT=str(ROOT),
        CLAIM_INTAKE_HOME=str(machine / "home"),
        PREFECT_API_URL=f"http://127.0.0.1:{up.env['PREFECT_PORT']}/api",
        PREFECT_HOME=str(machine / "prefect-home"),
        PREFECT_WORKER_QUERY_SECONDS="1",  # as scripts/up's workers
        TMPDIR=str(tmp),
        **extra_env,
    )
    # this checkout's code, as scripts/up gives its own processes (the venv may be another's)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_env.get("PYTHONPATH"), str(ROOT)) if p)
    with open(machine / "worker.log", "wb") as log:
        return subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "prefect"), "worker", "start", "--pool", "claim-intake"]
            + ["--name", machine.name, "--limit", str(limit)],
            env=env,
            cwd=machine,
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


def processes_of(machine: Path) -> dict[int, str]:
    """Every live process whose environment names this machine's CLAIM_INTAKE_HOME, whatever its
    parent (one that left the tree, re-parented to init, is found too): pid -> command name."""
    mark = f"CLAIM_INTAKE_HOME={machine / 'home'}".encode()
    found = {}
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark in environ.read_bytes().split(b"\0") and alive(int(environ.parent.name)):
                found[int(environ.parent.name)] = (environ.parent / "comm").read_text().strip()
        except OSError:
            continue  # exited while we looked, or not ours to read
    return found


def outside(machine: Path, pids) -> dict[int, str]:
    """Those of `pids` whose working directory is neither in `machine`'s directory nor the code
    checkout (where the flow runs and scripts/up's processes work): pid -> cwd."""
    found = {}
    for pid in pids:
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue  # exited meanwhile
        if not Path(cwd).is_relative_to(machine) and Path(cwd) != ROOT:
            found[pid] = cwd
    return found


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


def stop_machine(machine: subprocess.Popen) -> None:
    try:
        os.killpg(machine.pid, signal.SIGTERM)
        machine.wait(30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(machine.pid, signal.SIGKILL)


def runs_of(prefect: httpx.Client, deployment: str, states: list[str] | None = None) -> list[dict]:
    body: dict = {"deployments": {"name": {"any_": [deployment]}}}
    if states:
        body["flow_runs"] = {"state": {"type": {"any_": states}}}
    r = prefect.post("/flow_runs/filter", json=body)
    r.raise_for_status()
    return r.json()


def wait_for(what: str, check, timeout: float, logs: Path, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout} s" + stack_logs(logs) + machine_logs(logs.parent))


def machine_logs(tmp_path: Path) -> str:
    return "".join(f"\n--- {p.parent.name}\n{p.read_text()[-3000:]}" for p in sorted(tmp_path.glob("machine-*/*.log")))


def comparable(decision) -> dict:
    return {k: v for k, v in decision.model_dump(mode="json").items() if k not in TIMES}


def single_process_decisions(dirs: list[Path], home: Path) -> dict[str, dict]:
    """The same folios through take_in_folio, one after another in this process, with a home and
    a state database (SQLite) of their own: what the deployed path must agree with."""
    services = services_for(Settings(home=home))
    try:
        return {d.name: comparable(take_in_folio(d, services).decision) for d in dirs}
    finally:
        shutdown()  # this process's reader pool


@pytest.mark.slow  # ~3-4 min; CI runs it (.ci/run selects no markers out)
def test_two_machines_one_killed_mid_batch_every_folio_decided_once(stack, tmp_path):
    up, logs, claims_db = stack
    dirs = folio_dirs(tmp_path / "portal")
    names = [d.name for d in dirs]
    key = api_key(up, "online-services")
    state = open_storage(Settings(home=tmp_path / "observer", database_url=claims_db)).state  # the test's view
    prefect = httpx.Client(base_url=f"http://127.0.0.1:{up.env['PREFECT_PORT']}/api", timeout=30)
    automations = {a["name"]: a for a in prefect.post("/automations/filter", json={}).json()}
    zombies = automations["claim-intake: crash runs whose heartbeats stopped"]
    assert zombies["enabled"] and zombies["trigger"]["within"] == SILENCE_S

    machine_a_dir, machine_b_dir = tmp_path / "machine-a", tmp_path / "machine-b"
    machine_a = start_machine(up, machine_a_dir, limit=1, **SLOW_MACHINE)
    machine_b = None
    try:
        with httpx.Client(base_url=up.api, headers={"X-API-Key": key}, timeout=60) as api:
            for d in dirs[:BATCH]:
                assert (r := api.post("/folios", files=upload_parts(d))).status_code == 202, r.text
            # machine A alone: the run it takes is its batch; then machine B comes up for the rest
            run = wait_for(
                "an intake-batch run taken by machine A",
                lambda: runs_of(prefect, "intake-batch", ["PENDING", "RUNNING"]),
                120,
                logs,
            )[0]
            machine_b = start_machine(up, machine_b_dir, limit=2)
            for d in dirs[BATCH:]:
                assert (r := api.post("/folios", files=upload_parts(d))).status_code == 202, r.text
        batch_a = run["parameters"]["folios"]

        def decided_of_a() -> int:
            return sum(state.round_of(f) == (1, 1) for f in batch_a)

        wait_for("machine A deciding its batch", decided_of_a, 120, logs)
        # where the kill falls between two heartbeats sets the time to CRASHED: CRASH_KILL_AFTER_S varies it
        time.sleep(float(os.environ.get("CRASH_KILL_AFTER_S", "0")))
        on_a = processes_of(machine_a_dir)
        assert len(on_a) >= 3, on_a  # the worker, the flow-run process, its reader(s)
        assert outside(machine_a_dir, on_a) == {}, "a process of machine A works in another's directory"
        api_machine = processes_of(logs)
        assert len(api_machine) >= 2, api_machine  # the Prefect server, the API
        assert outside(logs, api_machine) == {}, "a process of the API's machine works in another's directory"
    finally:
        killed = kill_machine(machine_a)  # machine A dies: worker, flow-run process, readers, OCR
        killed_at = datetime.now(UTC)
        machine_a.wait(10)
    try:
        time.sleep(1)
        assert not [pid for pid in killed if alive(pid)], "a process of machine A survived"
        assert processes_of(machine_a_dir) == {}, "a process of machine A outside its tree survived"
        assert set(on_a) <= set(killed), "the kill missed a process of machine A"
        left = len(batch_a) - decided_of_a()
        print(f"\nmachine A killed with {len(batch_a) - left} of its {len(batch_a)} folios decided")
        assert 0 < left < len(batch_a), "not killed in the middle of its batch"
        assert prefect.get(f"/flow_runs/{run['id']}").json()["state_type"] == "RUNNING", "killed after it finished"

        # the reference, while Prefect waits for the dead run's heartbeats
        reference = single_process_decisions(dirs, tmp_path / "single-process")

        def crashed():
            state = prefect.get(f"/flow_runs/{run['id']}").json()["state"]
            return state if state["type"] == "CRASHED" else None

        crash = wait_for("the killed run CRASHED", crashed, BOUND_S + 30, logs, interval=1)
        to_crashed = (datetime.fromisoformat(crash["timestamp"]) - killed_at).total_seconds()
        assert "No heartbeat" in crash["message"], crash  # the heartbeat automation did it, not a worker
        assert SILENCE_S - HEARTBEAT_S - 5 <= to_crashed <= BOUND_S, to_crashed

        recovered = wait_for(
            "a recover-undecided run, started after the kill, COMPLETED on machine B",
            lambda: [
                r
                for r in runs_of(prefect, "recover-undecided", ["COMPLETED", "FAILED", "CRASHED"])
                if datetime.fromisoformat(r["created"]) > killed_at
            ],
            60,
            logs,
            interval=1,
        )
        assert [r["state_type"] for r in recovered] == ["COMPLETED"], recovered

        def all_decided() -> bool:
            return all(state.round_of(f) == (1, 1) for f in names)

        wait_for("every folio decided", all_decided, max(5.0, RECOVERED_S - _since(killed_at)), logs, interval=1)
        with state.engine.connect() as conn:
            last_decided = conn.execute(select(func.max(queue_entries.c.entered_at))).scalar()
            entries = dict(
                conn.execute(select(queue_entries.c.folio, func.count()).group_by(queue_entries.c.folio)).all()
            )
        to_recovered = (last_decided.astimezone(UTC) - killed_at).total_seconds()
        print(
            f"kill -> CRASHED: {to_crashed:.1f} s (heartbeat {HEARTBEAT_S} s, window {SILENCE_S} s); "
            f"kill -> last folio decided: {to_recovered:.1f} s ({left} folio(s) left by machine A)"
        )
        for var, seconds in (("CRASH_TIMES_FILE", to_crashed), ("RECOVERY_TIMES_FILE", to_recovered)):
            if out := os.environ.get(var):
                with open(out, "a") as f:
                    f.write(f"{seconds:.1f}\n")
        assert to_recovered <= RECOVERED_S, to_recovered

        routes = set()
        for folio in names:
            history = state.history(folio)
            assert len(history) == 1 and state.round_of(folio) == (1, 1), (folio, len(history))
            assert entries.get(folio) == 1 and state.queue_of(folio) == history[0].route.value, folio
            assert comparable(history[0]) == reference[folio], folio
            routes.add(history[0].route.value)
        assert len(routes) >= 2, routes  # the folios reach more than one route: the comparison is not trivial
        # the folios machine A left were decided by the recovery, not by the dead run; machine B
        # ran all the others, in batches
        by_dead_run = sum(state.flow_runs(f) == [run["id"]] for f in batch_a)
        assert by_dead_run == len(batch_a) - left, (by_dead_run, left)
        runs_of_b = {state.flow_runs(f)[0] for f in names if f not in batch_a}
        assert run["id"] not in runs_of_b and len(runs_of_b) >= (FOLIOS - len(batch_a)) / BATCH, runs_of_b
        on_b = processes_of(machine_b_dir)
        assert on_b and outside(machine_b_dir, on_b) == {}, "a process of machine B works in another's directory"
    finally:
        if machine_b is not None:
            stop_machine(machine_b)
        prefect.close()


def _since(moment: datetime) -> float:
    return (datetime.now(UTC) - moment).total_seconds()
