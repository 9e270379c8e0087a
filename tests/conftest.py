"""Shared fixtures. Prefect runs for real: one test harness (a temporary Prefect server on
SQLite) for the whole session, with its own PREFECT_HOME so task records never leak between
runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="claim-intake-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# SAT checks are on by default and call SAT's production URLs; there is no network here. The
# session runs with them off, explicitly (every decision then lists the SAT rules as skipped);
# the tests of the SAT checks start the simulator (satsim) and switch them on themselves.
os.environ["CLAIM_INTAKE_SAT_CHECKS"] = "false"


pytest_plugins = ["pg"]  # postgres_url, fresh_pg_database, moto_endpoint, s3_bucket

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "folios"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh CLAIM_INTAKE_HOME per test."""
    path = tmp_path / "home"
    monkeypatch.setenv("CLAIM_INTAKE_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def ruleset():
    from domain.config import default_ruleset

    return default_ruleset()


@pytest.fixture(scope="session")
def sample_folios() -> list[Path]:
    """The committed sample folios (generated if absent, e.g. in a fresh checkout)."""
    if not any(SAMPLES.glob("*/folio.json")):
        subprocess.run([sys.executable, "-m", "samples.generate"], cwd=ROOT, check=True)
    return sorted(p for p in SAMPLES.iterdir() if (p / "folio.json").is_file())
