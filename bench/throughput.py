"""Throughput of the deployed path (API -> Prefect deployment -> process worker -> decision),
against the plain pipeline measured in the same run.

The floor: the same folios through the same use case (application.intake.take_in_folio), one
after the other in one process, with the same state database (a throw-away PostgreSQL) and
local originals: what the work costs without the API, Prefect and the worker. Timed from the
first folio to the last decision, after the process and its services are up.

The deployed path, for each worker count: the whole stack by scripts/up on free ports (Prefect
server and folio state on the same PostgreSQL server, originals on local disk), the same folios
(copies of the digital sample folios under new folio ids) posted to the API from 8 client
threads, timed from the first POST to the last decision stored. Prints a markdown table with
deployed / plain.

    .venv/bin/python bench/throughput.py --folios 200 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pg import PostgresServer  # noqa: E402 - after the sys.path set-up above
from stack import api_key, running_stack  # noqa: E402 - after the sys.path set-up above

from storage.schema import decisions  # noqa: E402 - after the sys.path set-up above

DIGITAL = ["RB-2026-000101", "DF-2026-000301", "AC-2026-000401", "PP-2026-000201"]


def folio_parts(n: int) -> tuple[str, list]:
    source = ROOT / "samples" / "folios" / DIGITAL[n % len(DIGITAL)]
    manifest = json.loads((source / "folio.json").read_bytes())
    manifest["folio"] = f"BENCH-{n:05d}"
    parts = [("manifest", ("folio.json", json.dumps(manifest).encode(), "application/json"))]
    parts += [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(source.iterdir())
        if p.name != "folio.json"
    ]
    return manifest["folio"], parts


_TICK = os.sysconf("SC_CLK_TCK")


def _category(cmdline: str, name: str) -> str | None:
    """Which part of the stack a process is, from its command line."""
    if name == "postgres" or cmdline.startswith("postgres"):
        return "PostgreSQL (state + Prefect's)"
    if "prefect" in cmdline and "worker" in cmdline:
        return "worker"
    if "prefect" in cmdline and "server" in cmdline:
        return "Prefect server"
    if "api serve" in cmdline or "api.app" in cmdline:
        return "intake API"
    if "prefect.engine" in cmdline or "forkserver" in cmdline:  # a flow run and its reader pool
        return "flow-run processes"
    return None


def cpu_by_part(roots: set[int]) -> dict[str, float]:
    """CPU seconds so far of each part of the stack: its processes' own time, and the time of
    the children they have reaped (a worker reaps its flow-run processes, each flow-run process
    its readers and tesseracts), counted under "flow-run processes" for the worker. Only the
    processes that descend from `roots` (this run's stack and PostgreSQL server) count: other
    work on the machine is not this stack's."""
    stats: dict[int, tuple[str, str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                stats[int(entry.name)] = (cmdline, (entry / "stat").read_text())
            except OSError:
                continue
    parent = {pid: int(stat[stat.rindex(")") + 2 :].split()[1]) for pid, (_, stat) in stats.items()}

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid in roots:
                return True
            pid = parent.get(pid, 0)
        return False

    parts: dict[str, float] = {}
    for pid, (cmdline, stat) in stats.items():
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        part = _category(cmdline, name)
        if part is None or not ours(pid):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        own = (int(fields[11]) + int(fields[12])) / _TICK
        reaped = (int(fields[13]) + int(fields[14])) / _TICK
        parts[part] = parts.get(part, 0.0) + own
        child_part = "flow-run processes" if part == "worker" else part
        parts[child_part] = parts.get(child_part, 0.0) + reaped
    return parts


def plain(count: int, pg: PostgresServer, tag: str) -> dict:
    """The floor: `count` folios through take_in_folio in one fresh process (plain_child)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{tag}-"))
    folios = tmp / "folios"
    for n in range(count):
        _, parts = folio_parts(n)
        target = folios / f"{n:05d}"
        target.mkdir(parents=True)
        for _, (name, data, _) in parts:
            (target / name).write_bytes(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CLAIM_INTAKE_"))}
    env.update(
        CLAIM_INTAKE_HOME=str(tmp / "home"),
        CLAIM_INTAKE_DATABASE_URL=pg.create_database(f"claims_{tag}"),
        CLAIM_INTAKE_SAT_CHECKS="false",  # as in the stack (tests/stack.py): no network here
    )
    done = subprocess.run(
        [sys.executable, __file__, "--plain-child", str(folios)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    elapsed = child["elapsed_s"]
    return {"folios": count, "elapsed_s": elapsed, "per_hour": count / elapsed * 3600, "cpu_s": child["cpu_s"]}


def plain_child(folios: Path) -> None:
    """Runs in the fresh process plain() starts: services up, then every folio, timed."""
    from application.intake import take_in_folio
    from application.services import current_services, shutdown

    services = current_services()
    dirs = sorted(folios.iterdir())
    start = time.monotonic()
    for folio_dir in dirs:
        take_in_folio(folio_dir, services)
    elapsed = time.monotonic() - start
    shutdown()
    own, children = time.process_time(), os.times()
    print(json.dumps({"elapsed_s": elapsed, "cpu_s": own + children.children_user + children.children_system}))


def run(workers: int, count: int, worker_limit: int, pg: PostgresServer, tag: str) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{tag}-"))
    state_url = pg.create_database(f"claims_{tag}")
    settings = dict(
        WORKERS=str(workers),
        WORKER_LIMIT=str(worker_limit),
        CLAIM_INTAKE_DATABASE_URL=state_url,
        PREFECT_API_DATABASE_CONNECTION_URL=pg.create_database(f"prefect_{tag}").replace("+psycopg", "+asyncpg"),
    )
    with running_stack(tmp, settings, start_timeout=300, stop_timeout=60) as up:
        key = api_key(up, "bench")
        engine = create_engine(state_url)
        payloads = [folio_parts(i) for i in range(count)]
        with httpx.Client(base_url=up.api, headers={"X-API-Key": key}, timeout=120) as client:
            roots = {up.pid, int((pg.data / "postmaster.pid").read_text().split()[0])}
            cpu_before, client_before = cpu_by_part(roots), time.process_time()
            start = time.monotonic()

            def post(item):
                r = client.post("/folios", files=item[1])
                r.raise_for_status()

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(post, payloads))
            posted = time.monotonic() - start
            while True:
                with engine.connect() as conn:
                    done = conn.execute(select(func.count(func.distinct(decisions.c.folio)))).scalar_one()
                if done >= count:
                    break
                if time.monotonic() - start > 3600:
                    raise SystemExit(f"only {done}/{count} decided after an hour")
                time.sleep(0.5)
            elapsed = time.monotonic() - start
            cpu_after, client_cpu = cpu_by_part(roots), time.process_time() - client_before
            with engine.connect() as conn:
                first, last = conn.execute(
                    select(func.min(decisions.c.evaluated_at), func.max(decisions.c.evaluated_at))
                ).one()
        engine.dispose()
        return {
            "workers": workers,
            "folios": count,
            "startup_s": up.startup_s,
            "post_s": posted,
            "elapsed_s": elapsed,
            "per_min": count / elapsed * 60,
            "per_hour": count / elapsed * 3600,
            # from the first decision to the last: the rate once the pipeline runs, without the
            # fixed latency before the first one (batch window, worker poll, flow-run start-up)
            "first_decision_s": elapsed - (last - first).total_seconds(),
            "steady_per_hour": (count - 1) / max((last - first).total_seconds(), 1e-3) * 3600,
            "cpu_s": {
                **{k: cpu_after[k] - cpu_before.get(k, 0.0) for k in sorted(cpu_after)},
                "bench client (8 posting threads)": client_cpu,
            },
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folios", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--worker-limit", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--plain-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_child:
        plain_child(args.plain_child)
        return
    pg = PostgresServer()
    try:  # the floor twice before and once after the deployed runs: the machine's load may change
        floors = []
        for tag in ("plain1", "plain2"):
            floors.append(plain(args.folios, pg, tag))
            print(json.dumps({"plain": floors[-1]}), file=sys.stderr, flush=True)
        results = []
        for w in args.workers:
            results.append(run(w, args.folios, args.worker_limit, pg, f"w{w}"))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)  # kept even if a later run fails
        floors.append(plain(args.folios, pg, "plain3"))
        print(json.dumps({"plain": floors[-1]}), file=sys.stderr, flush=True)
    finally:
        pg.stop()
    floor = sorted(f["per_hour"] for f in floors)[1]  # the median of three
    print(
        f"plain pipeline, one process, {args.folios} folios: "
        + ", ".join(f"{f['elapsed_s']:.1f} s ({f['per_hour']:.0f}/hour)" for f in floors)
        + f"; median {floor:.0f}/hour"
    )
    print()
    print(
        "| workers | folios | stack start s | all POSTs s | first decision s | last decision s | folios/hour "
        "| deployed / plain | from the first decision: folios/hour | / plain |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['workers']} | {r['folios']} | {r['startup_s']:.0f} | {r['post_s']:.1f} | "
            f"{r['first_decision_s']:.1f} | {r['elapsed_s']:.1f} | {r['per_hour']:.0f} | "
            f"**{r['per_hour'] / floor:.2f}** | {r['steady_per_hour']:.0f} | {r['steady_per_hour'] / floor:.2f} |"
        )
    plain_cpu = sum(f["cpu_s"] for f in floors) / len(floors)
    print()
    print(f"Where the CPU went, seconds, from the first POST to the last decision (plain pipeline: {plain_cpu:.1f} s):")
    print()
    print("| part | " + " | ".join(f"{r['workers']} worker(s)" for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for part in sorted({p for r in results for p in r["cpu_s"]}):
        print(f"| {part} | " + " | ".join(f"{r['cpu_s'].get(part, 0.0):.1f}" for r in results) + " |")
    print("| **all** | " + " | ".join(f"**{sum(r['cpu_s'].values()):.1f}**" for r in results) + " |")


if __name__ == "__main__":
    main()
