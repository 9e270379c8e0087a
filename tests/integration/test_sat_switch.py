"""CLAIM_INTAKE_SAT_CHECKS (CONTRACT.md): on by default, at SAT's production URLs; switched off,
every decision lists the SAT rules under `skipped_rules` with the reason and the report says so,
so an invoice never reaches adjudication unchecked without a trace.

The test session runs with the checks off (conftest.py): there is no network here, and the
tests that exercise SAT start the simulator and switch them on themselves."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import FAST_SAT_ENV

from domain.config import SAT_CHECK_CODES, Settings
from domain.decision import Route

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "folios"
PP = SAMPLES / "PP-2026-000201"  # provider billing: a CFDI and a CSF, adjudication
AC = SAMPLES / "AC-2026-000401"  # a bank statement only
SAT_RULES = {"CFDI-005", "CFDI-006", "CFDI-007", "CFDI-008", "CSF-007", "CSF-008"}


def test_sat_checks_are_on_by_default_at_sats_production_urls(monkeypatch):
    for key in ("SAT_CHECKS", "SAT_STATUS_URL", "SAT_CSF_URL"):
        monkeypatch.delenv(f"CLAIM_INTAKE_{key}", raising=False)
    settings = Settings()
    assert settings.sat_checks is True
    assert settings.sat_status_url == "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc"
    assert settings.sat_csf_url == "https://siat.sat.gob.mx/app/qr/faces/pages/mobile/validadorqr.jsf"


def test_the_switch_names_every_sat_rule():
    assert set(SAT_CHECK_CODES) == SAT_RULES


def process(folio_dir: Path):
    """The intake task's own function (store, evaluate, record, report), without Prefect."""
    from flows.intake import process_folio

    as_of = date.fromisoformat(json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())["as_of"])
    return process_folio.fn(str(folio_dir), as_of)


@pytest.mark.parametrize("folio_dir", [PP, AC], ids=lambda p: p.name)
def test_switched_off_every_decision_lists_the_sat_rules_and_the_report_says_so(folio_dir, home, monkeypatch):
    monkeypatch.setenv("CLAIM_INTAKE_SAT_CHECKS", "false")
    outcome = process(folio_dir)
    decision = outcome.decision
    skipped = {s.code: s.why for s in decision.skipped_rules}
    assert set(skipped) >= SAT_RULES, decision.skipped_rules
    assert all("CLAIM_INTAKE_SAT_CHECKS=false" in skipped[code] for code in SAT_RULES)
    assert decision.route is Route.ADJUDICATION  # what the switch allows: it is recorded, not blocked
    stored = json.loads(Path(outcome.report_paths["json"]).read_text())
    assert {s["code"] for s in stored["skipped_rules"]} >= SAT_RULES
    html = Path(outcome.report_paths["html"]).read_text()
    banner = html[html.index('class="sat-off"') :]
    assert "No se consultó al SAT" in banner[:600] and "CLAIM_INTAKE_SAT_CHECKS=false" in banner[:600]
    assert html.index('class="sat-off"') < html.index("<h2>Documentos")  # at the top, not at the end


def test_switched_on_no_sat_rule_is_listed_as_skipped(home, monkeypatch):
    """The other side: with the checks on (here against a SAT that cannot be reached, so the
    folio waits), nothing says they were switched off."""
    from sat.resilience import reset_breakers

    reset_breakers()
    for key, value in {
        "SAT_CHECKS": "true",
        "SAT_STATUS_URL": "http://127.0.0.1:9/ConsultaCFDIService.svc",
        "SAT_CSF_URL": "http://127.0.0.1:9/validadorqr.jsf",
        "SAT_TIMEOUT_S": "0.2",
        "SAT_RETRY_ATTEMPTS": "1",
        "SAT_RETRY_BASE_DELAY_S": "0",
    }.items():
        monkeypatch.setenv(f"CLAIM_INTAKE_{key}", value)
    try:
        decision = process(PP).decision
    finally:
        reset_breakers()
    assert decision.route is Route.AWAITING_SAT
    assert not SAT_RULES & {s.code for s in decision.skipped_rules}


def test_the_sweep_honours_the_switch(tmp_path, ruleset):
    """A folio left in awaiting_sat when the checks are switched off is re-evaluated without
    asking SAT, and its decision says SAT was not asked."""
    from test_sat_sweep import intake  # the evaluation's steps by hand: the use case replaces them

    from application.services import services_for
    from application.sweep import recheck_folio
    from sat.checks import SatServices
    from sat.resilience import reset_breakers
    from satsim import SatSimulator
    from storage import open_storage

    reset_breakers()
    with SatSimulator() as sim:
        on = Settings(
            home=tmp_path / "home",
            sat_status_url=sim.status_url,
            sat_csf_url=sim.csf_url,
            **{k.lower(): v for k, v in FAST_SAT_ENV.items()},
        )
        storage = open_storage(on)
        sim.set_fault("503")
        decision, _ = intake(PP, on, ruleset, storage)
        assert decision.route is Route.AWAITING_SAT
        asked = sim.count("status") + sim.count("csf")
        off = on.model_copy(update={"sat_checks": False})
        sat = SatServices.from_settings(off, storage.state.engine)
        try:
            result = recheck_folio(
                decision.folio, datetime.now(UTC), datetime.now(UTC), sat, services_for(off, ruleset, storage)
            )
        finally:
            sat.close()
            reset_breakers()
        assert sim.count("status") + sim.count("csf") == asked  # SAT was not asked again
    assert result.outcome == "routed" and result.after == "adjudication"
    last = storage.state.last_decision(decision.folio)
    assert {s.code for s in last.skipped_rules} >= SAT_RULES
