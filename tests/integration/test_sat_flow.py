"""The SAT checks wired into the intake: on by default (the test session switches them off; these
tests switch them on against the simulator); a sample folio against the SAT simulator keeps its
route when SAT says Vigente, waits (awaiting_sat, CFDI-007 retry) during an outage and is
refused for a cancelled invoice."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from factories import simulator_settings, teach_simulator

from application.evaluate import evaluate_folio
from application.folio_dir import read_folio_dir
from application.originals import store_originals
from application.services import services_for
from domain.config import Settings
from domain.kinds import DocumentKind as K

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "folios"
PP = SAMPLES / "PP-2026-000201"  # provider billing: a CFDI and the provider's CSF, adjudication


def read_sample(folio_dir: Path, settings: Settings, ruleset) -> dict:
    """The sample's documents as the evaluation reads them (without asking SAT)."""
    services = services_for(settings.model_copy(update={"sat_checks": False}), ruleset)
    stored = store_originals(*read_folio_dir(folio_dir), services.storage)
    return evaluate_folio(stored, services).read


def decide(settings, ruleset, folio_dir=PP):
    """The folio's evaluation with one SAT pass, asking for a status of today from the start (as
    the sweep does), so that each service is asked once."""
    services = services_for(settings, ruleset)
    stored = store_originals(*read_folio_dir(folio_dir), services.storage)
    as_of = date.fromisoformat(json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())["as_of"])
    evaluation = evaluate_folio(stored, services, as_of=as_of, adjudication_today=True)
    return evaluation.decision, evaluation.read


def test_sat_checks_are_on_by_default(monkeypatch):
    """CONTRACT.md (issue 13): on by default; the test session switches them off (conftest.py)."""
    monkeypatch.delenv("CLAIM_INTAKE_SAT_CHECKS", raising=False)
    assert Settings().sat_checks is True


def test_vigente_keeps_the_route_and_asks_each_service_once(sim, tmp_path, ruleset):
    settings = simulator_settings(sim, tmp_path / "home")
    read = read_sample(PP, settings, ruleset)
    teach_simulator(sim, read)
    decision, _ = decide(settings, ruleset)
    assert (decision.route.value, decision.codes()) == ("adjudication", ["CFDI-021"])
    assert sim.count("status") == 1 and sim.count("csf") == 1  # the expression matched the invoice


def test_an_outage_is_awaiting_sat_never_a_rejection(sim, tmp_path, ruleset):
    settings = simulator_settings(sim, tmp_path / "home")
    sim.set_fault("503")
    decision, _ = decide(settings, ruleset)
    assert decision.route.value == "awaiting_sat"
    retry = {f.code for d in decision.documents for f in d.findings if f.outcome == "retry"}
    assert retry == {"CFDI-007", "CSF-007"}
    assert not [f for d in decision.documents for f in d.findings if f.outcome == "reject"]
    [cfdi_007] = [f for d in decision.documents for f in d.findings if f.code == "CFDI-007"]
    assert cfdi_007.evidence["failed"] == "http_error" and cfdi_007.evidence["http_status"] == 503


def test_a_cancelled_invoice_and_a_contradicting_page_are_refused(sim, tmp_path, ruleset):
    settings = simulator_settings(sim, tmp_path / "home")
    read = read_sample(PP, settings, ruleset)
    teach_simulator(sim, read)
    for entry in sim.cfdi.values():
        entry.estado = "Cancelado"
    for entry in sim.csf.values():
        entry.status = "SUSPENDIDO"
    decision, _ = decide(settings, ruleset)
    assert decision.route.value == "pending_documents"
    assert {"CFDI-005", "CSF-008"} <= set(decision.codes())


@pytest.mark.usefixtures("prefect_harness")
def test_the_prefect_flow_runs_check_sat_when_enabled(sim, home, monkeypatch, ruleset):
    from flows.intake import intake_folio

    read = read_sample(PP, simulator_settings(sim, home.parent / "scratch"), ruleset)
    teach_simulator(sim, read)
    for key, value in {
        "SAT_CHECKS": "true",
        "SAT_STATUS_URL": sim.status_url,
        "SAT_CSF_URL": sim.csf_url,
        "SAT_TIMEOUT_S": "0.5",
        "SAT_RETRY_BASE_DELAY_S": "0.01",
    }.items():
        monkeypatch.setenv(f"CLAIM_INTAKE_{key}", value)
    decision = intake_folio(str(PP), date(2026, 11, 20))
    assert (decision.route.value, decision.codes()) == ("adjudication", ["CFDI-021"])
    assert sim.count("status") == 1  # the adjudication re-check used today's answer
    [xml] = [d for d in decision.documents if d.kind is K.CFDI_XML]  # SAT's answer kept without a finding
    assert (
        xml.extracted["sat_status"]["estado"] == "Vigente" and "SIMULATOR" in xml.extracted["sat_status"]["raw_answer"]
    )
    sim.set_fault("reset")
    for entry in sim.cfdi.values():
        entry.estado = "Cancelado"
    monkeypatch.setenv("CLAIM_INTAKE_SAT_STATUS_MAX_AGE_HOURS", "0")
    decision = intake_folio(str(PP), date(2026, 11, 20))
    assert decision.route.value == "awaiting_sat"
    assert {f.code for d in decision.documents for f in d.findings if f.outcome == "retry"} == {"CFDI-007", "CSF-007"}
