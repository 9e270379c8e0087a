"""The evaluation use case as every caller now shares it (issue 12 item 2): the awaiting_sat
sweep reads through the extraction cache and uploads its reports to the blob store, and the
pending-documents notice is uploaded beside the reports. Each of these differed between the
hand-composed copies before: the sweep read everything again and uploaded nothing, and no
notice ever reached the blob store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest

from application.intake import take_in_folio
from application.notice import notify_claimant
from application.services import Services, services_for
from application.sweep import recheck_folio
from domain.config import Settings
from domain.decision import Route
from extractors import sandbox
from sat.checks import SatServices
from sat.resilience import reset_breakers
from satsim import SatSimulator
from storage.extraction_cache import ExtractionCache

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "folios"
PP = SAMPLES / "PP-2026-000201"  # a CFDI and a CSF: waits in awaiting_sat while SAT is down
DF = SAMPLES / "DF-2026-000302"  # CSF older than 30 days: pending_documents, with a notice
AS_OF = date(2026, 11, 20)
FAST = {
    "sat_timeout_s": 0.3,
    "sat_retry_attempts": 2,
    "sat_retry_base_delay_s": 0.01,
    "sat_rate_per_s": 1000,
    "sat_rate_burst": 100,
}


@pytest.fixture
def sim():
    reset_breakers()
    with SatSimulator() as sim:
        yield sim
    reset_breakers()


def waiting_folio(sim, **storage_settings) -> tuple[Services, Services]:
    """PP taken in while SAT answers 503 (so it waits in awaiting_sat); then the services of a
    sweep with the SAT checks switched off, which re-evaluates it without asking SAT."""
    on = Settings(sat_checks=True, sat_status_url=sim.status_url, sat_csf_url=sim.csf_url, **FAST, **storage_settings)
    services = services_for(on)
    sim.set_fault("503")
    outcome = take_in_folio(PP, services, AS_OF)
    assert outcome.decision.route is Route.AWAITING_SAT
    off = on.model_copy(update={"sat_checks": False})
    return services, Services(off, services.ruleset, services.storage)


def sweep(folio: str, services: Services):
    sat = SatServices.from_settings(services.settings, services.storage.state.engine)
    try:
        return recheck_folio(folio, datetime.now(UTC), datetime.now(UTC), sat, services)
    finally:
        sat.close()


def test_the_sweep_reads_through_the_extraction_cache(sim, tmp_path, monkeypatch):
    _, later = waiting_folio(sim, home=tmp_path / "home")
    stats = ExtractionCache(later.storage.state.engine, "-").stats
    hits_before = stats()["hits"]
    read_anew: list[str] = []
    real_read = sandbox.read

    def counting(jobs, *args, **kwargs):
        read_anew.extend(job.name for job in jobs)
        return real_read(jobs, *args, **kwargs)

    monkeypatch.setattr(sandbox, "read", counting)
    result = sweep("PP-2026-000201", later)
    assert (result.outcome, result.after) == ("routed", "adjudication")
    assert read_anew == []  # every document came from what the intake read
    documents = later.storage.state.last_decision("PP-2026-000201").documents
    assert stats()["hits"] - hits_before == len(documents)


def test_the_sweep_uploads_its_reports_to_the_blob_store(sim, tmp_path, moto_endpoint, s3_bucket):
    _, later = waiting_folio(
        sim, home=tmp_path / "home", blob_url=f"s3://{s3_bucket}/claims", s3_endpoint_url=moto_endpoint
    )
    result = sweep("PP-2026-000201", later)
    assert result.outcome == "routed"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    listed = s3.list_objects_v2(Bucket=s3_bucket, Prefix="claims/reports/PP-2026-000201/")
    names = sorted(Path(o["Key"]).name for o in listed.get("Contents", []))
    assert names == ["decision-001.json", "decision-002.json", "report.html"]  # the intake's and the sweep's
    local = later.storage.reports_dir / "PP-2026-000201"
    for name in ("decision-002.json", "report.html"):
        body = s3.get_object(Bucket=s3_bucket, Key=f"claims/reports/PP-2026-000201/{name}")["Body"].read()
        assert body == (local / name).read_bytes()
    assert b'"route": "adjudication"' in (local / "decision-002.json").read_bytes()


def test_the_notice_is_uploaded_beside_the_reports(tmp_path, moto_endpoint, s3_bucket):
    settings = Settings(home=tmp_path / "home", blob_url=f"s3://{s3_bucket}/claims", s3_endpoint_url=moto_endpoint)
    services = services_for(settings)
    outcome = take_in_folio(DF, services, AS_OF)
    assert outcome.decision.route is Route.PENDING_DOCUMENTS
    sent = notify_claimant(outcome.decision, outcome.manifest, services)
    assert sent is not None and sent.status == "pending"  # no SMTP here: stored, to be sent later
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    local = services.storage.reports_dir / "DF-2026-000302"
    for name in ("notice-001.txt", "notice-001.html"):
        body = s3.get_object(Bucket=s3_bucket, Key=f"claims/reports/DF-2026-000302/{name}")["Body"].read()
        assert body == (local / name).read_bytes() and b"DF-2026-000302" in body
    head = s3.head_object(Bucket=s3_bucket, Key="claims/reports/DF-2026-000302/notice-001.html")
    assert head["ContentType"].startswith("text/html")
