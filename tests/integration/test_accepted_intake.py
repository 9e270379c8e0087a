"""A folio uploaded through the intake API and taken in by id (application.intake.take_in_accepted)
gets the decision the same files get from a directory (take_in_folio), field for field, for
several sample folios; and a worker with nothing in common with the API but PostgreSQL and S3
(moto's server) decides an uploaded folio from its reference alone, in a process of its own with
its own CLAIM_INTAKE_HOME and working directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from accepted import no_inbox
from live_api import LiveServer
from pg import free_port

from api.app import create_app
from api.keys import create_key
from api.trigger import Job
from application.intake import take_in_accepted, take_in_folio
from application.services import services_for
from domain.config import Settings
from storage import open_storage

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"
FOLIOS = ["RB-2026-000101", "RB-2026-000103", "PP-2026-000201", "DF-2026-000302", "AC-2026-000401", "RB-2026-000501"]
TIMES = ("evaluated_at", "complete_at")  # when it was evaluated: the only fields two runs may differ in


def as_of(folio: str) -> date:
    return date.fromisoformat(json.loads((SAMPLES / f"{folio}.expected.json").read_text())["as_of"])


def comparable(decision) -> dict:
    body = decision.model_dump(mode="json")
    return {k: v for k, v in body.items() if k not in TIMES}


def upload(url: str, key: str, folio_dir: Path) -> httpx.Response:
    parts = [("manifest", ("folio.json", (folio_dir / "folio.json").read_bytes(), "application/json"))]
    parts += [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(folio_dir.iterdir())
        if p.name != "folio.json"
    ]
    return httpx.post(f"{url}/folios", files=parts, headers={"X-API-Key": key}, timeout=120)


def test_uploaded_and_directory_folios_get_the_same_decision(tmp_path):
    api_settings = Settings(home=tmp_path / "api-home")
    key = create_key(open_storage(api_settings).state.engine, "portal-a")
    jobs: list[Job] = []
    with LiveServer(create_app(api_settings, runner=jobs.extend), free_port(), api_settings) as server:
        for folio in FOLIOS:
            r = upload(server.url, key, SAMPLES / folio)
            assert r.status_code == 202, r.text
    assert sorted(j.folio for j in jobs) == sorted(FOLIOS) and {j.upload for j in jobs} == {1}
    from_api = services_for(api_settings)
    from_dir = services_for(Settings(home=tmp_path / "dir-home"))
    routes = set()
    for folio in FOLIOS:
        accepted = take_in_accepted(folio, from_api, as_of(folio))
        plain = take_in_folio(SAMPLES / folio, from_dir, as_of(folio))
        assert comparable(accepted.decision) == comparable(plain.decision), folio
        assert accepted.upload == 1 and plain.upload is None
        expected = json.loads((SAMPLES / f"{folio}.expected.json").read_text())
        assert (accepted.decision.route.value, accepted.decision.codes()) == (expected["route"], expected["codes"])
        routes.add(accepted.decision.route.value)
        # recorded as take_in_folio records it: the same files, by digest, with their media types
        assert sorted((f["name"], f["sha256"], f["media_type"]) for f in from_api.storage.state.files(folio)) == sorted(
            (f["name"], f["sha256"], f["media_type"]) for f in from_dir.storage.state.files(folio)
        )
        assert from_api.storage.state.queue_of(folio) == accepted.decision.route.value
    assert len(routes) >= 2  # the samples reach more than one route: the comparison is not trivial
    assert no_inbox(api_settings.home)


def test_a_later_upload_is_covered_by_the_number_it_got(tmp_path):
    """Files added after the first upload are taken in with it, and the outcome names upload 2."""
    settings = Settings(home=tmp_path / "home")
    key = create_key(open_storage(settings).state.engine, "portal-a")
    folio = "RB-2026-000101"
    with LiveServer(create_app(settings, runner=lambda batch: None), free_port(), settings) as server:
        assert upload(server.url, key, SAMPLES / folio).status_code == 202
        extra = [("files", ("nota.pdf", b"%PDF-1.4 nota\n", "application/pdf"))]
        r = httpx.post(f"{server.url}/folios/{folio}/files", files=extra, headers={"X-API-Key": key}, timeout=60)
        assert r.status_code == 202 and r.json()["upload"] == 2
    outcome = take_in_accepted(folio, services_for(settings), as_of(folio))
    assert outcome.upload == 2
    assert "nota.pdf" in [d.file for d in outcome.decision.documents]


def test_an_upload_is_decided_once_however_often_its_run_is_repeated(tmp_path):
    """A batch run again after its worker died (or a retried task) finds the upload decided: one
    decision per upload, the repeat says it recorded nothing; the next upload is decided anew."""
    settings = Settings(home=tmp_path / "home")
    key = create_key(open_storage(settings).state.engine, "portal-a")
    folio = "RB-2026-000101"
    with LiveServer(create_app(settings, runner=lambda batch: None), free_port(), settings) as server:
        assert upload(server.url, key, SAMPLES / folio).status_code == 202
        services = services_for(settings)
        first = take_in_accepted(folio, services, as_of(folio))
        again = take_in_accepted(folio, services, as_of(folio))
        assert first.recorded and not again.recorded and again.report_paths == {}
        assert comparable(again.decision) == comparable(first.decision)
        assert len(services.storage.state.history(folio)) == 1
        assert services.storage.state.round_of(folio) == (1, 1)
        extra = [("files", ("nota.pdf", b"%PDF-1.4 nota\n", "application/pdf"))]
        r = httpx.post(f"{server.url}/folios/{folio}/files", files=extra, headers={"X-API-Key": key}, timeout=60)
        assert r.status_code == 202
        assert services.storage.state.round_of(folio) == (2, 1)
        later = take_in_accepted(folio, services, as_of(folio))
        assert later.recorded and later.upload == 2
        assert len(services.storage.state.history(folio)) == 2


WORKER = """
import json, sys
from datetime import date
sys.path.insert(0, sys.argv[1])
from application.intake import take_in_accepted
from application.services import current_services
outcome = take_in_accepted(sys.argv[2], current_services(), date.fromisoformat(sys.argv[3]))
print(json.dumps({"upload": outcome.upload, "decision": outcome.decision.model_dump(mode="json")}))
"""


def test_a_worker_sharing_no_disk_with_the_api_decides_from_the_reference(
    tmp_path, fresh_pg_database, moto_endpoint, s3_bucket
):
    """The API (its own home) streams the upload into S3 and registers it in PostgreSQL; the
    worker, a separate process with another home and working directory, gets only the Job (folio
    id, upload number) and decides the folio; the decision is the one a directory gives."""
    blob_url = f"s3://{s3_bucket}/claims"
    api_home, worker_home = tmp_path / "api-machine", tmp_path / "worker-machine"
    worker_home.mkdir()
    api_settings = Settings(
        home=api_home, database_url=fresh_pg_database, blob_url=blob_url, s3_endpoint_url=moto_endpoint
    )
    key = create_key(open_storage(api_settings).state.engine, "portal-a")
    folio = "PP-2026-000201"
    jobs: list[Job] = []
    with LiveServer(create_app(api_settings, runner=jobs.extend), free_port(), api_settings) as server:
        assert upload(server.url, key, SAMPLES / folio).status_code == 202
        deadline = time.monotonic() + 10
        while not jobs and time.monotonic() < deadline:
            time.sleep(0.05)
    [job] = jobs
    assert job == Job(folio, 1)
    # the API machine holds nothing of the folio: no inbox, no originals, no file with its bytes
    assert no_inbox(api_home) and not (api_home / "originals").exists()
    sample_bytes = {p.read_bytes() for p in (SAMPLES / folio).iterdir()}
    assert not [p for p in api_home.rglob("*") if p.is_file() and p.read_bytes() in sample_bytes]

    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIM_INTAKE_")} | {
        "CLAIM_INTAKE_HOME": str(worker_home),
        "CLAIM_INTAKE_DATABASE_URL": fresh_pg_database,
        "CLAIM_INTAKE_BLOB_URL": blob_url,
        "CLAIM_INTAKE_S3_ENDPOINT_URL": moto_endpoint,
        "CLAIM_INTAKE_SAT_CHECKS": "false",
        "CLAIM_INTAKE_READ_SANDBOX": os.environ.get("CLAIM_INTAKE_READ_SANDBOX", "true"),
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(ROOT), job.folio, as_of(folio).isoformat()],
        cwd=worker_home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["upload"] == job.upload
    plain = take_in_folio(SAMPLES / folio, services_for(Settings(home=tmp_path / "dir-home")), as_of(folio))
    worker_decision = {k: v for k, v in result["decision"].items() if k not in TIMES}
    assert worker_decision == comparable(plain.decision)
    state = open_storage(api_settings).state
    assert state.queue_of(folio) == plain.decision.route.value  # recorded in PostgreSQL
    assert no_inbox(worker_home)
