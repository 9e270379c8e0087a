"""Which accepted uploads the recovery flow re-runs (application.recover.plan_recovery), on the
real state database: a round whose run ended without deciding it is re-run at once; one whose
run is still live, or that no run was noted for, only once it is older than stuck_after_s;
decided rounds never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import decision, manifest_json

from application.recover import plan_recovery
from domain.config import Settings
from domain.decision import Route
from domain.folio import parse_manifest
from storage import open_storage


def test_rounds_left_by_an_ended_run_are_rerun_and_live_ones_wait(tmp_path):
    storage = open_storage(Settings(home=tmp_path))
    state = storage.state
    for folio in ("F-CRASHED", "F-LIVE", "F-UNHANDED", "F-DECIDED"):
        state.register_folio(parse_manifest(manifest_json(folio=folio)))
        state.open_round(folio)
    state.set_round_runs([("F-CRASHED", 1), ("F-DECIDED", 1)], "run-crashed")
    state.set_round_runs([("F-LIVE", 1)], "run-live")
    state.record_decision(decision(Route.ADJUDICATION, folio="F-DECIDED"), round_=1)
    asked: list[list[str]] = []

    def live_runs(ids: list[str]) -> list[str]:
        asked.append(ids)
        return [i for i in ids if i == "run-live"]

    now = datetime.now(UTC) + timedelta(seconds=1)
    plan = plan_recovery(storage, now, live_runs, stuck_after_s=600)
    assert [r.folio for r in plan.rerun] == ["F-CRASHED"]
    assert sorted(r.folio for r in plan.in_flight) == ["F-LIVE", "F-UNHANDED"]
    assert asked == [["run-crashed", "run-live"]]  # one question for all the runs, decided rounds left out

    later = plan_recovery(storage, now + timedelta(seconds=601), live_runs, stuck_after_s=600)
    assert sorted(r.folio for r in later.rerun) == ["F-CRASHED", "F-LIVE", "F-UNHANDED"]
    assert later.in_flight == []

    state.record_decision(decision(Route.PENDING_DOCUMENTS, folio="F-CRASHED"), round_=1)
    after = plan_recovery(storage, now + timedelta(seconds=601), live_runs, stuck_after_s=600)
    assert sorted(r.folio for r in after.rerun) == ["F-LIVE", "F-UNHANDED"]
