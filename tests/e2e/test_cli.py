"""`claim-intake` as an operator runs it: a real subprocess, exit codes per CONTRACT.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cli_runner import ROOT, cli
from factories import SAMPLES


def test_missing_directory_exits_2_with_json_error(tmp_path):
    result = cli("process", str(tmp_path / "nope"), "--json", home=tmp_path / "home")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "INPUT"
    assert "no such folio directory" in result.stderr


def test_empty_directory_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("process", str(tmp_path / "empty"), "--json", home=tmp_path / "home")
    assert result.returncode == 2
    assert "folio.json" in json.loads(result.stdout)["error"]["message"]


def test_invalid_manifest_names_the_field(tmp_path, api_url):
    folio = tmp_path / "f"
    folio.mkdir()
    (folio / "folio.json").write_text('{"folio": "A-1", "claim_type": "reembolso", "received_at": "ayer"}')
    result = cli("process", str(folio), "--json", home=tmp_path / "home", api_url=api_url)
    assert result.returncode == 2
    assert "received_at" in json.loads(result.stdout)["error"]["message"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file; permissions cannot make one unreadable")
def test_unreadable_file_exits_2_naming_it(tmp_path):
    folio = tmp_path / "f"
    folio.mkdir()
    (folio / "folio.json").write_text(
        '{"folio": "A-1", "claim_type": "alta_cuenta", "received_at": "2026-11-20T10:00:00-06:00"}'
    )
    secret = folio / "estado.pdf"
    secret.write_bytes(b"%PDF-1.4")
    secret.chmod(0)
    result = cli("process", str(folio), "--json", home=tmp_path / "home")
    assert result.returncode == 2 and "estado.pdf" in result.stdout


def test_process_prints_the_contract_object(tmp_path, sample_folios, api_url):
    folio = next(p for p in sample_folios if p.name.startswith("DF-"))
    expected = json.loads((folio.parent / f"{folio.name}.expected.json").read_text())
    result = cli("process", str(folio), "--as-of", expected["as_of"], "--json", home=tmp_path / "home", api_url=api_url)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= {
        "folio",
        "route",
        "ruleset",
        "evaluated_at",
        "complete_at",
        "payment_due",
        "documents",
        "folio_findings",
        "missing",
        "skipped_rules",
    }
    assert answer["route"] == expected["route"]
    history = cli("history", answer["folio"], "--json", home=tmp_path / "home")
    assert history.returncode == 0 and len(json.loads(history.stdout)) == 1
    queue = cli("queue", "list", expected["route"], home=tmp_path / "home")
    assert queue.returncode == 0 and answer["folio"] in queue.stdout


def test_read_failure_is_an_input_error_naming_the_file(tmp_path, monkeypatch):
    """As root (CI) permissions cannot make a file unreadable, so the OS error is injected."""
    from application.folio_dir import InputError, read_folio_dir

    folio = tmp_path / "f"
    folio.mkdir()
    (folio / "folio.json").write_text("{}")
    (folio / "estado.pdf").write_bytes(b"%PDF-1.4")
    real = os.open

    def failing(path, *args, **kwargs):
        if Path(path).name == "estado.pdf":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing)  # the folio is read with os.open (O_NOFOLLOW)
    with pytest.raises(InputError, match=r"estado\.pdf: cannot be read \(Permission denied\)"):
        read_folio_dir(folio)


# ------------------------------------------------------------------ issue 15: quick command line

DIGITAL = ("DF-2026-000301", "DF-2026-000302")  # one CSF each: the smallest folios


def _run_cli(*args: str, home: Path, marker: str = "") -> subprocess.CompletedProcess:
    """The CLI as an operator without PREFECT_API_URL runs it; `marker` goes into its environment,
    which every process it starts inherits unless it is given an environment of its own."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"CLAIM_INTAKE_HOME": str(home), "CLAIM_INTAKE_TEST_MARKER": marker})
    return subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _pids_with_marker(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if f"CLAIM_INTAKE_TEST_MARKER={marker}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def _proc_stat(pid: int):
    from claim_intake.local_server import _proc_stat

    return _proc_stat(pid)


def _servers_of(home: Path) -> list[int]:
    """Running uvicorn processes whose working directory is this home's server directory."""
    from claim_intake.local_server import server_dir

    wanted, found = str(server_dir(home)), []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (
                    os.readlink(proc / "cwd") == wanted
                    and b"uvicorn" in (proc / "cmdline").read_bytes()
                    and _proc_stat(int(proc.name))[0] != "Z"
                ):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.fixture
def server_home(tmp_path):
    """A home whose local Prefect server is stopped at teardown, whatever the test did."""
    home = tmp_path / "home"
    yield home
    _run_cli("server", "stop", home=home)
    assert _servers_of(home) == [], "a local Prefect server outlived its test"


def test_local_server_started_once_reused_stopped_and_all_that_remains(server_home, sample_folios):
    home = server_home
    status = _run_cli("server", "status", home=home)
    assert status.returncode == 3 and "not running" in status.stdout

    # two first invocations at once: one server between them (the lock), none of theirs left
    marker = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"CLAIM_INTAKE_HOME": str(home), "CLAIM_INTAKE_TEST_MARKER": marker})
    firsts = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "claim_intake.cli",
                "process",
                str(SAMPLES / name),
                "--as-of",
                "2026-11-20",
                "--json",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in DIGITAL
    ]
    for proc, name in zip(firsts, DIGITAL, strict=True):
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-3000:]
        assert json.loads(stdout)["folio"] == name
    info = json.loads((home / "prefect-server" / "server.json").read_text())
    assert _servers_of(home) == [info["pid"]]
    assert _pids_with_marker(marker) == [], "a process started by `process` outlived it"
    assert f"CLAIM_INTAKE_TEST_MARKER={marker}".encode() not in Path(f"/proc/{info['pid']}/environ").read_bytes()

    # a later invocation reuses it
    later = _run_cli("process", str(SAMPLES / DIGITAL[0]), "--as-of", "2026-11-20", "--json", home=home, marker=marker)
    assert later.returncode == 0, later.stderr[-3000:]
    assert _servers_of(home) == [info["pid"]] and _pids_with_marker(marker) == []
    status = _run_cli("server", "status", home=home)
    assert status.returncode == 0 and f"pid {info['pid']}" in status.stdout and info["url"] in status.stdout
    start = _run_cli("server", "start", home=home)
    assert start.returncode == 0 and "already running" in start.stdout and f"pid {info['pid']}" in start.stdout

    stop = _run_cli("server", "stop", home=home)
    assert stop.returncode == 0 and f"stopped: pid {info['pid']}" in stop.stdout
    gone = _proc_stat(info["pid"])
    assert _servers_of(home) == [] and (gone is None or gone[0] == "Z")  # a zombie until its reaper reaps it
    assert _run_cli("server", "status", home=home).returncode == 3


def test_stale_server_file_is_not_taken_for_a_running_server(tmp_path):
    """After a reboot (another boot id) or with the pid now someone else's (another start tick),
    the recorded server is not running, and would be started afresh."""
    from claim_intake import local_server

    directory = local_server.server_dir(tmp_path)
    directory.mkdir(parents=True)
    me = local_server._proc_stat(os.getpid())
    alive = {
        "pid": os.getpid(),
        "port": 1,
        "url": "http://127.0.0.1:1/api",
        "started_at": 0.0,
        "start_ticks": me[1],
        "boot_id": local_server._boot_id(),
    }
    for stale in ({"boot_id": "another-boot"}, {"start_ticks": me[1] + 1}, {"pid": 2**22 + 1}):
        (directory / "server.json").write_text(json.dumps({**alive, **stale}))
        assert local_server.status(tmp_path) is None, stale
    (directory / "server.json").write_text(json.dumps(alive))
    assert local_server.status(tmp_path).pid == os.getpid()  # the record itself is read right


def test_operator_api_url_is_used_and_no_local_server_started(tmp_path, api_url):
    home = tmp_path / "home"
    result = cli("process", str(SAMPLES / DIGITAL[0]), "--as-of", "2026-11-20", "--json", home=home, api_url=api_url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (home / "prefect-server").exists() and _servers_of(home) == []


def test_several_folios_run_concurrently_one_json_object_per_line(tmp_path, api_url):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    home = tmp_path / "home"
    result = cli(
        "process", *(str(SAMPLES / n) for n in DIGITAL), "--as-of", "2026-11-20", "--json", home=home, api_url=api_url
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert [json.loads(line)["folio"] for line in lines] == list(DIGITAL)
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=list(DIGITAL))))
    latest = {}
    for run in sorted(runs, key=lambda r: r.start_time):
        latest[run.name] = run  # each folio's newest intake-folio run: this command's
    first, second = latest[DIGITAL[0]], latest[DIGITAL[1]]
    assert first.start_time < second.end_time and second.start_time < first.end_time, "folios ran one after another"
