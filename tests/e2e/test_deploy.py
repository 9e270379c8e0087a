"""The deployed path end to end, every part a real process on loopback: scripts/up starts a
Prefect server (on PostgreSQL through asyncpg), registers prefect.yaml's deployments on the
process work pool, starts a worker and the intake API; state is on PostgreSQL (migrated with
Alembic by scripts/up), originals and reports go to moto's S3 server. A folio posted to the API
must come back decided by the worker."""

from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import httpx
import pytest
from stack import api_key, running_stack, stack_logs

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "folios" / "RB-2026-000101"


@pytest.fixture
def stack(tmp_path, postgres_server, moto_endpoint, s3_bucket):
    settings = dict(
        PREFECT_API_DATABASE_CONNECTION_URL=postgres_server.create_database("prefect").replace("+psycopg", "+asyncpg"),
        CLAIM_INTAKE_DATABASE_URL=postgres_server.create_database("claims"),
        CLAIM_INTAKE_BLOB_URL=f"s3://{s3_bucket}/claims",
        CLAIM_INTAKE_S3_ENDPOINT_URL=moto_endpoint,
        CLAIM_INTAKE_API_BATCH_WINDOW_S="0.5",
    )
    with running_stack(tmp_path, settings) as up:
        yield up, tmp_path


@pytest.mark.slow
def test_api_to_worker_to_decision(stack):
    up, tmp_path = stack
    api, env = up.api, up.env
    key = api_key(up, "online-services")
    files = [("manifest", ("folio.json", (SAMPLE / "folio.json").read_bytes(), "application/json"))]
    files += [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(SAMPLE.iterdir())
        if p.name != "folio.json"
    ]
    with httpx.Client(base_url=api, headers={"X-API-Key": key}, timeout=60) as client:
        r = client.post("/folios", files=files, headers={"Idempotency-Key": "first"})
        assert r.status_code == 202, r.text
        deadline, body = time.monotonic() + 90, {}
        while time.monotonic() < deadline:
            body = client.get("/folios/RB-2026-000101").json()
            if body["decisions"]:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"no decision in 90 s: {body}" + stack_logs(tmp_path))
    expected = json.loads((SAMPLE.parent / "RB-2026-000101.expected.json").read_text())
    assert body["status"] == expected["route"]
    assert body["flow_run"], "the API recorded the Prefect flow run it started"
    # the run was made by the worker through the deployment, not in the API process
    with httpx.Client(base_url=f"http://127.0.0.1:{env['PREFECT_PORT']}/api", timeout=30) as prefect:
        deadline = time.monotonic() + 30
        while (run := prefect.get(f"/flow_runs/{body['flow_run']}").json())["state_type"] in (
            "SCHEDULED",
            "PENDING",
            "RUNNING",
        ):
            assert time.monotonic() < deadline, run["state_type"]
            time.sleep(0.5)
        deployment = prefect.get(f"/deployments/{run['deployment_id']}").json()
    assert deployment["name"] == "intake-batch" and run["state_type"] == "COMPLETED"
    # originals and reports are in S3, not on local disk
    s3 = boto3.client("s3", endpoint_url=env["CLAIM_INTAKE_S3_ENDPOINT_URL"])
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=env["CLAIM_INTAKE_BLOB_URL"][5:].split("/")[0])["Contents"]]
    assert sum(k.startswith("claims/originals/") for k in keys) == 7  # 6 files + folio.json
    assert "claims/reports/RB-2026-000101/decision-001.json" in keys
    assert not (tmp_path / "home" / "originals").exists()
