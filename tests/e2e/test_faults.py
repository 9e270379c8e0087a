"""Faults: the pipeline killed with SIGKILL in the middle of a folio, and the blob store failing
to write. Nothing may be lost and nothing half-decided: a re-run gives the same decision as an
uninterrupted run, with one queue entry, on both state backends (SQLite and PostgreSQL)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from application.evaluate import evaluate_folio
from application.folio_dir import read_folio_dir
from application.originals import store_originals
from application.services import services_for
from domain.config import Settings
from storage import QUEUES, LocalBlobStore, Storage, open_storage, sha256_of

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str | None:
    if request.param == "sqlite":
        return None  # the embedded default under CLAIM_INTAKE_HOME
    return request.getfixturevalue("fresh_pg_database")


def _processes_with_env(marker: str) -> list[int]:
    """PIDs whose environment holds `marker` (this test's CLAIM_INTAKE_HOME): the CLI, its
    forkserver, its reader workers and any tesseract they started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _wait_gone(marker: str, timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _processes_with_env(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_kill_9_mid_folio_then_rerun(tmp_path, api_url, database_url, monkeypatch):
    # A scanned page (OCR in a reader worker) next to a digital folio: reading takes a while.
    folio = tmp_path / "RB-KILL"
    shutil.copytree(SAMPLES / "RB-2026-000101", folio)
    shutil.copy(SAMPLES / "DF-2026-000304" / "constancia.jpg", folio / "constancia_escaneada.jpg")
    home = tmp_path / "home"
    env = {**os.environ, "CLAIM_INTAKE_HOME": str(home), "PREFECT_API_URL": api_url}
    if database_url:
        env["CLAIM_INTAKE_DATABASE_URL"] = database_url
    cmd = [sys.executable, "-m", "claim_intake.cli", "process", str(folio), "--as-of", "2026-11-20", "--json"]
    originals = {p.name: p.read_bytes() for p in folio.iterdir()}
    blobs = LocalBlobStore(home / "originals")

    victim = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not all(blobs.exists(sha256_of(b)) for b in originals.values()):
        assert victim.poll() is None, victim.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "originals never stored"
        time.sleep(0.02)
    time.sleep(0.3)  # into reading: the scanned page is being OCR'd by a reader worker
    assert victim.poll() is None, "the run finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    assert victim.returncode == -signal.SIGKILL
    assert _wait_gone(str(home)) == [], "reader processes outlived the killed pipeline"

    # The re-run: the same flow, in this process (a CLI start-up costs seconds, proves nothing new).
    from flows.intake import intake_folio

    monkeypatch.setenv("CLAIM_INTAKE_HOME", str(home))
    if database_url:
        monkeypatch.setenv("CLAIM_INTAKE_DATABASE_URL", database_url)
    decision = intake_folio(str(folio), date(2026, 11, 20)).model_dump(mode="json")

    # The same decision as an uninterrupted run of the same folio (the evaluation use case).
    reference = _uninterrupted(folio, tmp_path / "clean")
    assert _summary(decision) == _summary(reference)
    assert decision["route"] == "pending_documents"  # the scan is not a document this claim needs

    storage = open_storage(Settings(home=home, database_url=database_url))
    for name, data in originals.items():
        assert storage.blobs.get(sha256_of(data)) == data, f"original lost: {name}"
    entries = [row for q in QUEUES for row in storage.state.queue(q) if row["folio"] == decision["folio"]]
    assert len(entries) == 1 and storage.state.queue_of(decision["folio"]) == decision["route"]
    assert 1 <= len(storage.state.history(decision["folio"])) <= 2  # the killed run may have recorded first
    files = storage.state.files(decision["folio"])
    assert sorted(f["name"] for f in files) == sorted(n for n in originals if n != "folio.json")


def _uninterrupted(folio: Path, home: Path) -> dict:
    services = services_for(Settings(home=home))
    stored = store_originals(*read_folio_dir(folio), services.storage)
    return evaluate_folio(stored, services, as_of=date(2026, 11, 20)).decision.model_dump(mode="json")


def _summary(decision: dict) -> tuple:
    return (
        decision["route"],
        decision["missing"],
        sorted(f["code"] for f in decision["folio_findings"]),
        sorted(
            (d["file"], d["status"], d["kind"], tuple(sorted(f["code"] for f in d["findings"])))
            for d in decision["documents"]
        ),
    )


class FailingBlobStore:
    """A blob store whose disk fills up after `allowed` writes (ENOSPC), wrapping a real one."""

    def __init__(self, inner: LocalBlobStore, allowed: int):
        self.inner, self.allowed, self.writes = inner, allowed, 0

    def put(self, data: bytes) -> str:
        if self.writes >= self.allowed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.writes += 1
        return self.inner.put(data)

    def get(self, sha256: str) -> bytes:
        return self.inner.get(sha256)

    def exists(self, sha256: str) -> bool:
        return self.inner.exists(sha256)


@pytest.mark.parametrize("allowed", [0, 1, 3])
def test_blob_write_failure_is_a_clear_error_and_records_nothing(tmp_path, allowed):
    real = open_storage(Settings(home=tmp_path / "home"))
    storage = Storage(FailingBlobStore(real.blobs, allowed), real.state, real.reports_dir)
    manifest_bytes, files = read_folio_dir(SAMPLES / "RB-2026-000101")
    with pytest.raises(OSError) as raised:
        store_originals(manifest_bytes, files, storage)
    assert raised.value.errno == errno.ENOSPC and "No space left" in str(raised.value)
    folio = json.loads(manifest_bytes)["folio"]
    assert real.state.manifest(folio) is None and real.state.files(folio) == []  # no partial folio
    assert real.state.history(folio) == [] and real.state.queue_of(folio) is None  # no partial decision
    written = [manifest_bytes, *(f.data for f in files)][:allowed]
    assert all(real.blobs.get(sha256_of(b)) == b for b in written)  # what was written is intact
    assert not list((tmp_path / "home" / "originals").rglob(".incoming-*"))  # no half-written blob

    # The disk has room again: the same upload goes through whole.
    stored = store_originals(manifest_bytes, files, real)
    assert len(real.state.files(folio)) == len(files) == len(stored.files)


def test_interrupted_blob_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """A write that fails half way (fsync error) leaves neither the blob nor its temp file."""
    store = LocalBlobStore(tmp_path / "blobs")

    def failing_fsync(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        store.put(b"%PDF-1.7 half written")
    monkeypatch.undo()
    assert not store.exists(sha256_of(b"%PDF-1.7 half written"))
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []
