"""`claim-intake` as an operator runs it: a real subprocess, exit codes per CONTRACT.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_runner import cli


@pytest.fixture(scope="module")
def api_url(prefect_harness) -> str:
    """The session's Prefect server, so each CLI process skips starting an ephemeral one."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


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
    (folio / "folio.json").write_text('{"folio": "A-1", "claim_type": "alta_cuenta", "received_at": "2026-11-20T10:00:00-06:00"}')
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
    assert set(answer) >= {"folio", "route", "ruleset", "evaluated_at", "complete_at", "payment_due",
                           "documents", "folio_findings", "missing", "skipped_rules"}
    assert answer["route"] == expected["route"]
    history = cli("history", answer["folio"], "--json", home=tmp_path / "home")
    assert history.returncode == 0 and len(json.loads(history.stdout)) == 1
    queue = cli("queue", "list", expected["route"], home=tmp_path / "home")
    assert queue.returncode == 0 and answer["folio"] in queue.stdout


def test_read_failure_is_an_input_error_naming_the_file(tmp_path, monkeypatch):
    """As root (CI) permissions cannot make a file unreadable, so the OS error is injected."""
    from claim_intake.pipeline import InputError, read_folio_dir

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
