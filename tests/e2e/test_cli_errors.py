"""Clear errors from `claim-intake` (issue 13, item 12): an unusable input is exit 2 and one
line; a home that cannot be written (disk full, read-only, not a directory) is exit 1 and one
line saying where and what to do, with no traceback and no SQL parameters (the manifest's CLABE);
nothing half-recorded; no claimant message shows a Python object's repr."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys

import pytest
from cli_runner import ROOT, cli

SAMPLES = ROOT / "samples" / "folios"
CLABE = "012018000123456786"  # RB-2026-000101's folio.json


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    return lines[0]


def test_an_invalid_manifest_is_one_line_and_exit_2(tmp_path, api_url):
    folio = tmp_path / "f"
    folio.mkdir()
    (folio / "folio.json").write_text('{"folio": "A-1", "claim_type": "reembolso", "received_at": "ayer"}')
    result = cli("process", str(folio), "--json", home=tmp_path / "home", api_url=api_url)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "folio.json" in line and "received_at" in line
    assert json.loads(result.stdout)["error"]["code"] == "INPUT"


def test_a_home_that_is_not_a_directory_is_one_line_and_exit_1(tmp_path, api_url):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = cli("process", str(SAMPLES / "DF-2026-000301"), "--json", home=blocker / "home", api_url=api_url)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert line.startswith(f"claim-intake: cannot write to {blocker / 'home'}: ")
    assert line.endswith("free space or set CLAIM_INTAKE_HOME")
    history = cli("history", "DF-2026-000301", home=blocker / "home")  # any command, same line
    assert history.returncode == 1 and _one_line(history.stderr).startswith("claim-intake: cannot write to")


@pytest.mark.parametrize("limit_kb", [16, 64, 400])
def test_a_full_disk_is_one_line_exit_1_without_sql_parameters(tmp_path, api_url, limit_kb):
    """RLIMIT_FSIZE makes every write past `limit_kb` fail (EFBIG; SQLite: disk I/O error or
    full), as a full disk does: at the database's creation, the folio's registration or the blobs."""
    folio = tmp_path / "RB"
    shutil.copytree(SAMPLES / "RB-2026-000101", folio)
    (folio / "anexo.pdf").write_bytes((folio / "informe_medico.pdf").read_bytes() + os.urandom(600_000))
    home = tmp_path / "home"
    limit = limit_kb * 1024

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "CLAIM_INTAKE_HOME": str(home), "PREFECT_API_URL": api_url}
    result = subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", "process", str(folio), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_disk,
    )
    assert result.returncode == 1, (result.returncode, result.stderr[-3000:])
    line = _one_line(result.stderr)
    assert line.startswith(f"claim-intake: cannot write to {home}: "), line
    assert CLABE not in result.stderr + result.stdout and "parameters" not in result.stderr
    assert not list(home.rglob(".incoming-*"))  # nothing half-written


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xd9", b"\xff\xd8\xff\xfe\x00\x04ab" + bytes(64)])
def test_a_broken_jpeg_message_shows_no_python_repr(data):
    import extractors
    import validators

    doc = extractors.read_document("foto.jpg", data, "image/jpeg")
    assert doc.unreadable
    finding = validators.packaging.unreadable(doc.unreadable)
    assert finding.code == "PKG-006" and " object at 0x" not in finding.message_es + json.dumps(finding.evidence)
    assert "dañada" in finding.message_es
    cleaned = validators.packaging.unreadable("cannot identify image file <_io.BytesIO object at 0x7f00>")
    assert cleaned.evidence["reason"] == "cannot identify image file"


def test_held_run_errors_are_shown_after_a_run_that_ends_and_dropped_for_a_one_line_error():
    import io
    import logging

    import prefect.main  # noqa: F401 - Prefect's logging set up first, as in the CLI

    from claim_intake.cli_errors import held_run_errors

    out = io.StringIO()
    console = logging.StreamHandler(out)
    logging.getLogger().addHandler(console)
    run_log = logging.LoggerAdapter(
        logging.getLogger("prefect.task_runs"),
        {"task_run_name": "notify", "task_run_id": "-", "flow_run_name": "-", "flow_run_id": "-"},
    )
    try:
        with held_run_errors() as held:
            assert console in held.handlers
            run_log.error("notice task failed: SMTP down")
            assert out.getvalue() == ""  # held while the folio runs
        assert out.getvalue().count("SMTP down") == 1  # the run ended: shown, once
        with pytest.raises(SystemExit), held_run_errors():
            run_log.error("ManifestError: folio.json is bad")
            raise SystemExit(2)
        assert "folio.json is bad" not in out.getvalue()
        run_log.error("after: not held")
        assert "after: not held" in out.getvalue()
    finally:
        logging.getLogger().removeHandler(console)


def test_a_folio_directory_named_in_bytes_that_are_not_utf8_is_an_input_error(tmp_path):
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/fol\xe9")
    shutil.copytree(SAMPLES / "DF-2026-000301", folder)
    result = cli("process", folder, "--json", home=tmp_path / "home")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "fol\\xe9" in _one_line(result.stderr)
    assert "not valid UTF-8" in json.loads(result.stdout)["error"]["message"]
