"""Benchmark: `claim-intake` from the command line, as an operator runs it (issue 15).

    .venv/bin/python bench/cli.py [-n 3] [--skip-demo]

In one run, each a fresh `python` process timed from outside (wall clock, and CPU from
RUSAGE_CHILDREN: the command and the processes it waited for, i.e. its reader processes; not
the detached Prefect server, whose CPU is reported on its own row):

- floor: `python -c "import prefect, claim_intake"`, what any command that runs a flow pays;
- first: `claim-intake process` of one digital folio (DF-2026-000301, one CSF) in a fresh
  CLAIM_INTAKE_HOME, so including the start of that home's Prefect server;
- later: the same command again (server reused), median of n;
- 22 folios: `claim-intake process samples/folios/*` in one invocation (all sample folios have
  the same expected as_of), each decision checked against its `.expected.json`;
- demo: `claim-intake demo` (the same routing plus the PDF reports), as scripts/demo runs it.

SAT checks are on, against the SAT simulator (python -m satsim) this script starts, as the demo
does. The home and its server are removed at the end. The machine is shared: the load average
at start and end is printed, and the targets are ratios within the run."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "folios"
FOLIO = SAMPLES / "DF-2026-000301"
AS_OF = "2026-11-20"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds of one command (CPU: it and the children it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0,):
        sys.exit(f"{' '.join(cmd[-3:])}: exit {result.returncode}\n{result.stderr[-3000:]}")
    return wall, cpu, result


def start_simulator(workdir: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    ready = workdir / "sat-urls"
    sim = subprocess.Popen(
        [sys.executable, "-m", "satsim", "--port", "0", "--seed", str(SAMPLES), "--ready-file", str(ready)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not ready.is_file():
        if sim.poll() is not None or time.monotonic() > deadline:
            sys.exit("the SAT simulator did not start")
        time.sleep(0.1)
    urls = dict(line.split("=", 1) for line in ready.read_text().split() if "=" in line)
    return sim, urls


def server_cpu(home: Path) -> float | None:
    """CPU seconds the home's Prefect server has used so far (utime + stime from /proc)."""
    try:
        pid = json.loads((home / "prefect-server" / "server.json").read_text())["pid"]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, KeyError, IndexError):
        return None


def check_expectations(stdout: str) -> tuple[int, int]:
    decisions = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    ok = 0
    for d in decisions:
        expected = json.loads((SAMPLES / f"{d['folio']}.expected.json").read_text())
        codes = sorted(
            {f["code"] for doc in d["documents"] for f in doc["findings"]} | {f["code"] for f in d["folio_findings"]}
        )
        ok += d["route"] == expected["route"] and codes == sorted(expected["codes"])
    return ok, len(decisions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="repetitions of the floor and the later invocation")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    home = workdir / "home"
    sim, urls = start_simulator(workdir)
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "CLAIM_INTAKE_READ_WORKERS")}
    env.update(
        urls,
        CLAIM_INTAKE_HOME=str(home),
        CLAIM_INTAKE_SAT_CHECKS="true",
        DO_NOT_TRACK="1",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    cli = [sys.executable, "-m", "claim_intake.cli"]
    one = [*cli, "process", str(FOLIO), "--as-of", AS_OF, "--json"]
    rows: list[tuple[str, float, float, str]] = []
    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
    try:
        floors = [timed([sys.executable, "-c", "import prefect, claim_intake"], env)[:2] for _ in range(args.n)]
        floor = statistics.median(w for w, _ in floors)
        rows.append(
            (
                "floor: python -c 'import prefect, claim_intake'",
                floor,
                statistics.median(c for _, c in floors),
                f"median of {args.n}",
            )
        )
        wall, cpu, _ = timed(one, env)
        rows.append(("first `process` of one digital folio (fresh home: starts its server)", wall, cpu, ""))
        laters = [timed(one, env)[:2] for _ in range(args.n)]
        later = statistics.median(w for w, _ in laters)
        rows.append(
            (
                "later `process` of the same folio (server reused)",
                later,
                statistics.median(c for _, c in laters),
                f"median of {args.n}; {later / floor:.2f}x floor (target <= 2x)",
            )
        )
        folios = sorted(str(p) for p in SAMPLES.iterdir() if (p / "folio.json").is_file())
        wall, cpu, result = timed([*cli, "process", *folios, "--as-of", AS_OF, "--json"], env)
        ok, total = check_expectations(result.stdout)
        rows.append(
            (
                f"`process` of the {total} sample folios in one invocation",
                wall,
                cpu,
                f"{ok}/{total} as expected (target <= 30 s)",
            )
        )
        if not args.skip_demo:
            wall, cpu, result = timed([*cli, "demo"], env)
            rows.append(
                (
                    "`demo` (the same routing, then every folio's PDF report)",
                    wall,
                    cpu,
                    "all as expected" if "MISMATCH" not in result.stdout else "MISMATCH",
                )
            )
        spent = server_cpu(home)
        if spent is not None:
            rows.append(("the home's Prefect server, CPU over the whole run", float("nan"), spent, "detached"))
    finally:
        subprocess.run([*cli, "server", "stop"], cwd=ROOT, env=env, capture_output=True, timeout=120)
        sim.terminate()
        sim.wait(30)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average at end: {os.getloadavg()}", file=sys.stderr)
    print("| measure | wall s | CPU s | note |\n|---|---|---|---|")
    for name, wall, cpu, note in rows:
        print(f"| {name} | {'-' if wall != wall else f'{wall:.2f}'} | {cpu:.2f} | {note} |")


if __name__ == "__main__":
    main()
