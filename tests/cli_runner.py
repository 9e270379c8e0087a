"""The `claim-intake` command as a user runs it: a fresh interpreter, with its own home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, home: Path, api_url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLAIM_INTAKE_HOME": str(home)}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
