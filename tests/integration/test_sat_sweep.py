"""awaiting_sat end to end, over real HTTP against the SAT simulator: an outage of two hours
(fault modes on for eight sweeps, 15 minutes apart on the sweep's clock) rejects nothing and every
folio resumes to its own route when SAT comes back; after the retry budget a folio goes to
adjudication with CFDI-007 visible; N folios with one UUID cost one status call; the shared rate
limit holds under 8 concurrent folios; the simulator as the demo runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from factories import FAST_SAT_ENV

from application.evaluate import evaluate_folio
from application.folio_dir import read_folio_dir
from application.originals import store_originals
from application.record import record_decision
from application.services import services_for
from application.sweep import recheck_folio
from domain.config import Settings
from domain.decision import Route
from domain.findings import Finding, Outcome
from domain.kinds import DocumentKind as K
from sat.checks import SatServices, sat_findings
from sat.resilience import reset_breakers
from sat.status import StatusClient
from satsim.seed import seed_from_folios
from storage import open_storage
from validators.routing import route_for

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"
PP, RB102, DF301 = SAMPLES / "PP-2026-000201", SAMPLES / "RB-2026-000102", SAMPLES / "DF-2026-000301"


@pytest.fixture
def sim(sim):
    """The shared simulator (conftest), hanging 5 s where a test asks it to hang."""
    sim.hang_s = 5
    return sim


@pytest.fixture
def sat_env(sim, home, monkeypatch) -> Settings:
    """CLAIM_INTAKE_* pointing at the simulator, as the flows read them."""
    for key, value in {**FAST_SAT_ENV, "SAT_STATUS_URL": sim.status_url, "SAT_CSF_URL": sim.csf_url}.items():
        monkeypatch.setenv(f"CLAIM_INTAKE_{key}", value)
    return Settings()


def expected(folio_dir: Path) -> dict:
    return json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())


def intake(folio_dir: Path, settings: Settings, ruleset, storage=None):
    """The intake-folio use case with SAT checks on, called directly: store, evaluate, record."""
    services = services_for(settings, ruleset, storage)
    stored = store_originals(*read_folio_dir(folio_dir), services.storage)
    as_of = (
        date.fromisoformat(expected(folio_dir)["as_of"])
        if (folio_dir.parent / f"{folio_dir.name}.expected.json").is_file()
        else None
    )
    evaluation = evaluate_folio(stored, services, as_of=as_of)
    record_decision(evaluation.decision, evaluation.uuids, services.storage)
    return evaluation.decision, evaluation.read


def every_finding(decision) -> list[Finding]:
    return list(decision.folio_findings) + [f for d in decision.documents for f in d.findings]


def cfdi_uuid(folio_dir: Path) -> str:
    import extractors

    [xml] = sorted(folio_dir.glob("*.xml"))[:1]
    data = xml.read_bytes()
    return extractors.read_document(xml.name, data, extractors.sniff_media_type(data)).extraction.uuid.upper()


# ------------------------------------------------------------------------------ pure routing


def test_route_for_lets_retry_through_only_after_the_budget():
    retry = Finding(code="CFDI-007", outcome=Outcome.RETRY, message_es="x")
    reject = Finding(code="CFDI-005", outcome=Outcome.REJECT, message_es="x")
    assert route_for([retry]) is Route.AWAITING_SAT
    assert route_for([retry], retry_budget_exhausted=True) is Route.ADJUDICATION
    assert route_for([retry, reject], retry_budget_exhausted=True) is Route.PENDING_DOCUMENTS


# ------------------------------------------------------------------------------ the sweep flow


@pytest.mark.usefixtures("prefect_harness")
def test_a_two_hour_outage_rejects_nothing_and_every_folio_resumes(sim, sat_env, ruleset):
    from flows.sweep import sweep_awaiting_sat

    seed_from_folios(sim, [PP, RB102, DF301])
    sim.cfdi[cfdi_uuid(RB102)].estado = "Cancelado"  # what SAT will say once it answers again
    storage = open_storage(sat_env)
    sim.set_fault("503")
    for folio_dir in (PP, RB102, DF301):
        decision, _ = intake(folio_dir, sat_env, ruleset, storage)
        assert decision.route is Route.AWAITING_SAT, folio_dir.name
    waiting = {r["folio"]: r["entered_at"] for r in storage.state.queue("awaiting_sat")}
    assert set(waiting) == {"PP-2026-000201", "RB-2026-000102", "DF-2026-000301"}
    t0 = max(waiting.values()).replace(tzinfo=UTC)

    for i, fault in enumerate(["503", "hang", "reset", "garbage"] * 2, start=1):  # 8 sweeps = 2 hours
        sim.set_fault(fault)
        results = sweep_awaiting_sat(now=t0 + timedelta(minutes=15 * i))
        assert {r.outcome for r in results} <= {"still_waiting", "deferred"}, results
        assert storage.state.queue_counts()["awaiting_sat"] == 3
        assert storage.state.queue("pending_documents") == []
    for folio in waiting:
        history = storage.state.history(folio)
        assert not [f for d in history for f in every_finding(d) if f.outcome is Outcome.REJECT], folio
        assert len(history) == 1  # unchanged re-evaluations are not appended

    sim.set_fault(None)
    time.sleep(0.25)  # the breaker's cool-down (0.2 s) passes: its trial call goes through
    results = sweep_awaiting_sat(now=t0 + timedelta(hours=2, minutes=15))
    assert {r.folio: r.outcome for r in results} == dict.fromkeys(waiting, "routed")
    for folio_dir in (PP, DF301):
        last = storage.state.last_decision(folio_dir.name)
        want = expected(folio_dir)
        assert (last.route.value, last.codes()) == (want["route"], want["codes"]), folio_dir.name
        assert last.complete_at is not None
    last = storage.state.last_decision("RB-2026-000102")
    assert last.route is Route.PENDING_DOCUMENTS and "CFDI-005" in last.codes()
    # SAT's raw answer stays with the decision even without a finding (a Vigente invoice)
    pp = storage.state.last_decision("PP-2026-000201")
    [xml] = [d for d in pp.documents if d.kind is K.CFDI_XML]
    assert xml.extracted["sat_status"]["estado"] == "Vigente"
    assert "<a:Estado>Vigente</a:Estado>" in xml.extracted["sat_status"]["raw_answer"]
    [csf] = [d for d in pp.documents if d.kind is K.TAX_STATUS_CERTIFICATE]
    assert csf.extracted["sat_csf_check"]["found"] is True
    assert storage.state.queue_counts()["awaiting_sat"] == 0


@pytest.mark.usefixtures("prefect_harness")
def test_after_the_budget_a_folio_goes_to_adjudication_with_cfdi_007_visible(sim, sat_env, ruleset):
    from flows.sweep import sweep_awaiting_sat

    seed_from_folios(sim, [PP])
    storage = open_storage(sat_env)
    sim.set_fault("hang")  # SAT hangs: cut at the 0.3 s timeout, every time
    started = time.monotonic()
    decision, _ = intake(PP, sat_env, ruleset, storage)
    assert time.monotonic() - started < 30  # bounded (not an assertion on speed: a hang would be 5 s/call)
    assert decision.route is Route.AWAITING_SAT
    [cfdi_007] = [f for f in every_finding(decision) if f.code == "CFDI-007"]
    assert cfdi_007.evidence["failed"] == "timeout"
    [row] = storage.state.queue("awaiting_sat")
    since = row["entered_at"].replace(tzinfo=UTC)
    budget = timedelta(hours=ruleset.thresholds.sat_retry_budget_hours)

    [early] = sweep_awaiting_sat(now=since + budget - timedelta(minutes=1))
    assert early.after == "awaiting_sat" and len(storage.state.history("PP-2026-000201")) == 1

    reset_breakers()
    [late] = sweep_awaiting_sat(now=since + budget + timedelta(minutes=1))
    assert (late.outcome, late.after) == ("budget_exhausted", "adjudication")
    last = storage.state.last_decision("PP-2026-000201")
    assert last.route is Route.ADJUDICATION and storage.state.queue_of("PP-2026-000201") == "adjudication"
    retry = [f for f in every_finding(last) if f.outcome is Outcome.RETRY]
    assert {f.code for f in retry} == {"CFDI-007", "CSF-007"}
    assert all(f.evidence["retry_budget_exhausted"] is True for f in retry)
    assert last.complete_at is not None and last.payment_due == last.complete_at.date() + timedelta(days=30)
    report = json.loads(sorted((storage.reports_dir / "PP-2026-000201").glob("decision-*.json"))[-1].read_text())
    assert report["route"] == "adjudication" and "CFDI-007" in json.dumps(report)


def test_a_folio_whose_original_is_gone_is_reported_not_crashed(sim, sat_env, ruleset):
    storage = open_storage(sat_env)
    sim.set_fault("503")
    decision, _ = intake(PP, sat_env, ruleset, storage)
    [xml] = [d for d in decision.documents if d.kind is K.CFDI_XML]
    storage.blobs._path(xml.sha256).unlink()
    sat = SatServices.from_settings(sat_env, storage.state.engine)
    try:
        result = recheck_folio(
            "PP-2026-000201", datetime.now(UTC), datetime.now(UTC), sat, services_for(sat_env, ruleset, storage)
        )
    finally:
        sat.close()
    assert result.outcome == "error" and xml.file in result.detail and "PP-2026-000201" in result.detail
    assert storage.state.queue_of("PP-2026-000201") == "awaiting_sat"


def test_the_sweep_re_evaluates_under_the_stored_owner(sim, sat_env, ruleset):
    """Issue 13 #7: a portal's folio re-evaluated by the sweep stays that portal's, with its own
    manifest; the sweep reads the folio from storage and never claims or re-registers it."""
    from domain.folio import parse_manifest

    seed_from_folios(sim, [PP])
    storage = open_storage(sat_env)
    storage.state.register_folio(parse_manifest((PP / "folio.json").read_bytes()), owner="portal-a")
    sim.set_fault("503")
    decision, _ = intake(PP, sat_env, ruleset, storage)
    assert decision.route is Route.AWAITING_SAT and storage.state.owner("PP-2026-000201") == "portal-a"
    manifest = storage.state.manifest("PP-2026-000201")
    sim.set_fault(None)
    reset_breakers()
    sat = SatServices.from_settings(sat_env, storage.state.engine)
    try:
        result = recheck_folio(
            "PP-2026-000201", datetime.now(UTC), datetime.now(UTC), sat, services_for(sat_env, ruleset, storage)
        )
    finally:
        sat.close()
    assert result.outcome == "routed", result
    assert storage.state.owner("PP-2026-000201") == "portal-a"
    assert storage.state.manifest("PP-2026-000201") == manifest


def test_the_sweep_is_a_scheduled_deployment():
    from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    [deployment] = [d for d in config["deployments"] if d["name"] == "sweep-awaiting-sat"]
    [schedule] = deployment["schedules"]
    assert _schedule_config_to_deployment_schedule(schedule)["schedule"].interval == timedelta(minutes=15)
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    assert flow.name == "sweep-awaiting-sat"


# ------------------------------------------------------------------------------ cache and rate limit


def test_n_folios_with_one_uuid_make_one_status_call(sim, sat_env, ruleset, tmp_path):
    seed_from_folios(sim, [PP])
    uuid = cfdi_uuid(PP)
    storage = open_storage(sat_env)
    for n in range(5):
        copy = tmp_path / f"PP-2026-00090{n}"
        shutil.copytree(PP, copy)
        manifest = json.loads((copy / "folio.json").read_text())
        (copy / "folio.json").write_text(json.dumps({**manifest, "folio": copy.name}))
        intake(copy, sat_env, ruleset, storage)  # a fresh set of SAT clients per folio, as the flow does
    assert sim.count("status", contains=uuid) == 1
    decisions = [storage.state.last_decision(f"PP-2026-00090{n}") for n in range(5)]
    assert all(d.documents and any("sat_status" in doc.extracted for doc in d.documents) for d in decisions)


def test_the_rate_limit_holds_under_8_concurrent_folios(sim, home, ruleset, monkeypatch):
    rate = 10.0
    for key, value in {
        **FAST_SAT_ENV,
        "SAT_STATUS_URL": sim.status_url,
        "SAT_CSF_URL": sim.csf_url,
        "SAT_RATE_PER_S": str(rate),
        "SAT_RATE_BURST": "1",
    }.items():
        monkeypatch.setenv(f"CLAIM_INTAKE_{key}", value)
    settings = Settings()
    storage = open_storage(settings)
    folios = sorted((p for p in SAMPLES.iterdir() if p.is_dir()), key=lambda p: (-len(list(p.glob("*.xml"))), p.name))[
        :8
    ]
    assert len(folios) == 8
    seed_from_folios(sim, folios)
    reads = []
    unasked = services_for(settings.model_copy(update={"sat_checks": False}), ruleset, storage)
    for folio_dir in folios:  # the documents as the evaluation reads them, SAT not asked yet
        stored = store_originals(*read_folio_dir(folio_dir), storage)
        reads.append(evaluate_folio(stored, unasked).read)
    errors, found = [], []

    def folio_worker(read):
        try:  # each folio its own clients, one rate limit shared through the state database
            found.append(sat_findings(read, settings, storage.state.engine, ruleset.honorifics))
        except Exception as exc:  # noqa: BLE001 - collected: the test asserts that no thread failed
            errors.append(exc)

    threads = [threading.Thread(target=folio_worker, args=(r,)) for r in reads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(found) == 8
    assert not [f for fs in found for v in fs.values() for f in v if f.code == "CFDI-007"]
    times = sorted(c.at for c in sim.calls if c.service == "status")
    assert len(times) >= 10
    # GCRA with burst 1: n calls need (n - 1) / rate seconds, and no window holds more than its share
    assert times[-1] - times[0] >= (len(times) - 1) / rate * 0.85
    for i in range(len(times)):
        assert sum(1 for t in times[i:] if t - times[i] < 0.5) <= 0.5 * rate + 2


# ------------------------------------------------------------------------------ the demo's simulator


def test_the_demo_simulator_is_seeded_from_the_samples_and_stops_on_sigterm(tmp_path):
    ready = tmp_path / "urls"
    proc = subprocess.Popen(
        [sys.executable, "-m", "satsim", "--port", "0", "--seed", str(PP), "--ready-file", str(ready)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), proc.stderr.read() if proc.poll() is not None else "not ready"
        urls = dict(line.split("=", 1) for line in ready.read_text().splitlines())
        assert urls["CLAIM_INTAKE_SAT_STATUS_URL"].startswith("http://127.0.0.1:")
        import extractors

        xml = next(PP.glob("*.xml"))
        data = xml.read_bytes()
        ext = extractors.read_document(xml.name, data, extractors.sniff_media_type(data)).extraction
        with StatusClient(urls["CLAIM_INTAKE_SAT_STATUS_URL"], timeout_s=5) as client:
            answer = client.consult_cfdi(ext)
            assert answer.estado == "Vigente" and "SIMULATOR" in answer.raw_xml
            other = client.consult(ext.issuer_rfc, ext.receiver_rfc, ext.total + 1, ext.uuid, ext.seal_tail)
            assert other.not_found  # the table is bound to the invoice's own expression
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "SIMULATOR" in err and "stopped" in err
