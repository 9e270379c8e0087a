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
from stack import running_stack  # noqa: E402 - after the sys.path set-up above

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
    elapsed = json.loads(done.stdout.strip().splitlines()[-1])["elapsed_s"]
    return {"folios": count, "elapsed_s": elapsed, "per_hour": count / elapsed * 3600}


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
    print(json.dumps({"elapsed_s": elapsed}))


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
        key = subprocess.run(
            [sys.executable, "-m", "claim_intake.cli", "api-key", "create", "bench"],
            env=up.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        engine = create_engine(state_url)
        payloads = [folio_parts(i) for i in range(count)]
        with httpx.Client(base_url=up.api, headers={"X-API-Key": key}, timeout=120) as client:
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
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folios", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--worker-limit", type=int, default=4)
    parser.add_argument("--plain-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_child:
        plain_child(args.plain_child)
        return
    pg = PostgresServer()
    try:  # the floor before and after the deployed runs: the machine's load may change meanwhile
        floors = [plain(args.folios, pg, "plain1")]
        print(json.dumps({"plain": floors[-1]}), file=sys.stderr, flush=True)
        results = []
        for w in args.workers:
            results.append(run(w, args.folios, args.worker_limit, pg, f"w{w}"))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)  # kept even if a later run fails
        floors.append(plain(args.folios, pg, "plain2"))
        print(json.dumps({"plain": floors[-1]}), file=sys.stderr, flush=True)
    finally:
        pg.stop()
    floor = sum(f["per_hour"] for f in floors) / len(floors)
    print(
        f"plain pipeline, one process, {args.folios} folios: "
        + ", ".join(f"{f['elapsed_s']:.1f} s ({f['per_hour']:.0f}/hour)" for f in floors)
        + f"; mean {floor:.0f}/hour"
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


if __name__ == "__main__":
    main()
