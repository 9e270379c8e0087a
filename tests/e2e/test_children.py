"""Nothing outlives `claim-intake process`: not when it ends, not when it is killed with SIGKILL.

Real processes, no mocks. The command runs with a marker in its environment, which every
process it starts inherits (the reader pool's forkserver and workers, tesseract, Prefect's
temporary server); /proc/*/environ then tells which processes came from it. Survivors are
killed in a `finally`, so a failing test leaves nothing behind either."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "CLAIM_INTAKE_TEST_PROCESS_MARKER"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def marked(token: str) -> dict[int, str]:
    """pid -> command line of every live process whose environment carries the marker."""
    needle = f"{MARKER}={token}".encode() + b"\0"
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                environ = handle.read() + b"\0"
            with open(f"/proc/{entry}/stat", "rb") as handle:
                if handle.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue  # a zombie has ended; its parent (maybe this test) has not reaped it yet
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # ended meanwhile, or not ours to read
            continue
        if needle in b"\0" + environ:
            found[int(entry)] = command
    return found


def tesseract_runs(processes: dict[int, str]) -> bool:
    return any(Path(command.split(" ", 1)[0]).name == "tesseract" for command in processes.values())


def wait_until_gone(token: str, seconds: float) -> dict[int, str]:
    deadline = time.monotonic() + seconds
    left = marked(token)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked(token)
    return left


def kill_survivors(token: str) -> None:
    for pid in marked(token):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def command_env(tmp_path: Path, token: str) -> dict[str, str]:
    """A user's shell: a fresh home, no Prefect API configured and the ephemeral server chosen (so
    the command starts a temporary Prefect server of its own, which must die with it), and the
    marker. The kept local server is covered in test_cli."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        {
            "CLAIM_INTAKE_HOME": str(tmp_path / "home"),
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "CLAIM_INTAKE_PREFECT_SERVER": "ephemeral",  # the server is the command's own, not one kept
            MARKER: token,
            "PYTHONPATH": str(ROOT),
            "TMPDIR": str(tmp_path),
        }
    )  # a killed reader's page images are left behind: here
    return env


def scanned_folio(sample_folios, target: Path, pages: int = 8) -> Path:
    """The sample folio whose constancia is a photo, with more photos of it (each with other
    bytes, so none is a duplicate), so that tesseract runs for a while."""
    source = next(p for p in sample_folios if p.name == "DF-2026-000304")
    shutil.copytree(source, target)
    photo = (source / "constancia.jpg").read_bytes()
    for page in range(1, pages):
        (target / f"constancia_{page}.jpg").write_bytes(photo + b"\0" * page)  # after JPEG's end marker
    return target


def test_nothing_outlives_a_finished_process_command(tmp_path, sample_folios):
    token = uuid.uuid4().hex
    folios = [str(p) for p in sample_folios if p.name in ("RB-2026-000101", "DF-2026-000304")]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "claim_intake.cli", "process", *folios, "--as-of", "2026-11-20"],
            cwd=ROOT,
            env=command_env(tmp_path, token),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        survivors = wait_until_gone(token, 1.0)
        assert survivors == {}, f"still running after the command ended: {survivors}"
    finally:
        kill_survivors(token)


def test_nothing_outlives_a_killed_process_command(tmp_path, sample_folios):
    token = uuid.uuid4().hex
    folio = scanned_folio(sample_folios, tmp_path / "DF-2026-000304")
    command = subprocess.Popen(
        [sys.executable, "-m", "claim_intake.cli", "process", str(folio)],
        cwd=ROOT,
        env=command_env(tmp_path, token),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 240
        seen: dict[int, str] = {}
        while time.monotonic() < deadline and command.poll() is None:
            seen = marked(token)
            if any("uvicorn" in c for c in seen.values()) and tesseract_runs(seen):
                break
            time.sleep(0.05)
        assert command.poll() is None, "the command ended before tesseract and the Prefect server ran together"
        assert tesseract_runs(seen), f"no tesseract in time: {seen}"
        assert any("forkserver" in c for c in seen.values()), f"no reader forkserver: {seen}"
        command.kill()  # SIGKILL: no atexit, no finally, nothing of the command's own clean-up runs
        command.wait(timeout=10)
        survivors = wait_until_gone(token, 2.0)
        assert survivors == {}, f"still running 2 s after kill -9 of the command: {survivors}"
    finally:
        if command.poll() is None:
            command.kill()
            command.wait(timeout=10)
        command.stderr.close()
        kill_survivors(token)


READER = """
import sys
from PIL import Image
from extractors.ocr import _tesseract_tsv
page = Image.open(sys.argv[1]).convert("L")
sheet = Image.new("L", (page.width * 6, page.height * 10), 255)
for column in range(6):
    for row in range(10):
        sheet.paste(page, (column * page.width, row * page.height))
_tesseract_tsv(sheet, "spa", 120)  # a big page: tesseract writes nothing for seconds
"""


def test_tesseract_dies_with_the_reader_that_started_it(tmp_path, sample_folios):
    """A reader killed mid-page (a budget overrun, a kill -9) takes its tesseract with it. Before
    the tie, tesseract ran on until it first wrote to its closed pipes (SIGPIPE)."""
    token = uuid.uuid4().hex
    photo = next(p for p in sample_folios if p.name == "DF-2026-000304") / "constancia.jpg"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(photo)], cwd=ROOT, env=command_env(tmp_path, token))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not tesseract_runs(marked(token)):
            assert reader.poll() is None, "the reader ended before tesseract started"
            time.sleep(0.02)
        assert tesseract_runs(marked(token)), "tesseract never started"
        reader.kill()
        reader.wait(timeout=10)
        survivors = wait_until_gone(token, 0.5)  # untied, it lives on until it first writes, ~2 s on this page
        assert survivors == {}, f"tesseract still running 0.5 s after its reader was killed: {survivors}"
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait(timeout=10)
        kill_survivors(token)
