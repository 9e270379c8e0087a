"""The whole local stack, `scripts/up` (Prefect server, deployments, workers, intake API), on
free ports and in its own process group: for the deployment test and the throughput benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pg import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stack:
    env: dict[str, str]
    api: str  # the intake API's base URL
    startup_s: float  # from launch to "up: Prefect" in its log
    pid: int  # scripts/up's: every process of the stack descends from it


def api_key(stack: Stack, portal: str) -> str:
    """A new API key for `portal`, made by the command line against the stack's database."""
    return subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", "api-key", "create", portal],
        env=stack.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def stack_logs(workdir: Path) -> str:
    """The tail of every service's log, for a failure message."""
    return "".join(f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted((workdir / "up" / "logs").glob("*.log")))


@contextmanager
def running_stack(
    workdir: Path, settings: dict[str, str], *, start_timeout: float = 120, stop_timeout: float = 30
) -> Iterator[Stack]:
    """`settings` come on top of a clean environment (no PREFECT_*/CLAIM_INTAKE_* of the caller),
    free ports, and state under `workdir`. Stopped, with every process it started, on exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CLAIM_INTAKE_"))}
    env.update(
        PREFECT_PORT=str(free_port()),
        API_PORT=str(free_port()),
        UP_DIR=str(workdir / "up"),
        PREFECT_LOGGING_LEVEL="WARNING",
        CLAIM_INTAKE_HOME=str(workdir / "home"),
        CLAIM_INTAKE_SAT_CHECKS="false",
        # the checkout under test first: the venv's editable install may point at another one
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )  # on by default, at SAT's URLs: no network here
    env.update(settings)
    log_path = workdir / "up.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "up")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        while b"up: Prefect" not in log_path.read_bytes():
            if proc.poll() is not None or time.monotonic() - started > start_timeout:
                raise RuntimeError("the stack did not start:\n" + log_path.read_text() + stack_logs(workdir))
            time.sleep(0.3)
        yield Stack(env, f"http://127.0.0.1:{env['API_PORT']}", time.monotonic() - started, proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(stop_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
