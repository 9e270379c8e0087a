"""The intake-folio flow run through Prefect for real, on the embedded default storage."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from accepted import accept_dir

pytestmark = pytest.mark.usefixtures("prefect_harness")


def run(folio_dir: Path, as_of: date | None = None):
    from flows.intake import intake_folio

    return intake_folio(str(folio_dir), as_of)


def expected_of(folio_dir: Path) -> dict:
    return json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())


def test_every_sample_routes_as_expected(home, sample_folios):
    assert len(sample_folios) >= 14
    routes = set()
    for folio_dir in sample_folios:
        expected = expected_of(folio_dir)
        decision = run(folio_dir, date.fromisoformat(expected["as_of"]))
        assert (decision.route.value, decision.codes()) == (expected["route"], expected["codes"]), folio_dir.name
        routes.add(decision.route.value)
    assert {"adjudication", "pending_documents"} <= routes


def test_processing_twice_appends_history_and_keeps_one_queue_entry(home, sample_folios):
    from domain.config import Settings
    from storage import open_storage

    folio_dir = sample_folios[0]
    first = run(folio_dir)
    second = run(folio_dir)
    state = open_storage(Settings()).state
    history = state.history(first.folio)
    assert len(history) == 2 and history[1].evaluated_at == second.evaluated_at
    assert (
        sum(
            1
            for q in ("adjudication", "pending_documents", "awaiting_sat")
            for row in state.queue(q)
            if row["folio"] == first.folio
        )
        == 1
    )
    if first.complete_at:
        assert second.complete_at == first.complete_at  # the Art. 71 clock does not restart


def test_every_original_is_stored_before_parsing(home, sample_folios):
    from domain.config import Settings
    from storage import open_storage, sha256_of

    folio_dir = next(p for p in sample_folios if any(p.glob("*.docx")))
    decision = run(folio_dir)
    storage = open_storage(Settings())
    for path in folio_dir.iterdir():
        assert storage.blobs.get(sha256_of(path.read_bytes())) == path.read_bytes()
    assert {d.file for d in decision.documents} == {p.name for p in folio_dir.iterdir() if p.name != "folio.json"}


def test_bad_manifest_is_an_input_error_and_keeps_the_originals(home, tmp_path):
    from domain.config import Settings
    from domain.folio import ManifestError
    from storage import open_storage, sha256_of

    folio = tmp_path / "bad"
    folio.mkdir()
    (folio / "folio.json").write_text(
        '{"folio": "X-1", "claim_type": "reembolzo", "received_at": "2026-11-20T10:00:00-06:00"}'
    )
    (folio / "informe.pdf").write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ManifestError, match="claim_type"):
        run(folio)
    assert open_storage(Settings()).blobs.exists(sha256_of(b"%PDF-1.4 not really"))


def test_folio_over_the_file_limit_is_refused_whole(home, tmp_path, sample_folios):
    folio = tmp_path / "many"
    shutil.copytree(sample_folios[0], folio)
    for i in range(51):
        (folio / f"extra_{i}.pdf").write_bytes(b"%PDF-1.4 " + str(i).encode())
    decision = run(folio)
    assert decision.route.value == "pending_documents"
    assert decision.codes() == ["PKG-004"]
    assert all(d.status.value == "not_evaluated" for d in decision.documents)


def test_flow_run_is_named_after_the_folio_and_publishes_its_table(home, sample_folios):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterName
    from prefect.client.schemas.sorting import ArtifactSort

    folio_dir = next(p for p in sample_folios if p.name.startswith("AC-"))
    decision = run(folio_dir)

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[decision.folio])))
        assert runs and runs[-1].state.is_completed()
        key = "folio-" + decision.folio.lower()
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC
        )  # earlier tests ran this folio too
    assert artifacts and artifacts[0].type == "table"
    assert decision.route.value in artifacts[0].description
    rows = artifacts[0].data if isinstance(artifacts[0].data, list) else __import__("json").loads(artifacts[0].data)
    assert {row["file"] for row in rows} >= {d.file for d in decision.documents}


def test_configured_sat_certificates_verify_the_stamp_and_test_ca_silences_cfdi021(home, sample_folios, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("CLAIM_INTAKE_SAT_STAMP_CERTIFICATES", str(root / "samples/pki/sat-stamp"))
    monkeypatch.setenv("CLAIM_INTAKE_CFDI_TRUST_STORE", str(root / "samples/pki/trust"))
    folio_dir = next(p for p in sample_folios if p.name == "RB-2026-000101")
    decision = run(folio_dir, date(2026, 11, 20))
    xml = next(d for d in decision.documents if d.kind.value == "cfdi_xml")
    assert xml.extracted.get("sat_seal_verified") is True
    assert decision.codes() == [] and decision.route.value == "adjudication"


def accept(folio_dir: Path, storage) -> str:
    """The folio as the intake API accepts it (tests/accepted.py); its id is what intake-batch gets."""
    folio, created = accept_dir(folio_dir, storage, "portal-a")
    assert created
    return folio


def test_batch_routes_each_folio_and_a_broken_one_does_not_stop_the_rest(home, sample_folios, tmp_path):
    """intake-batch: each folio taken in by its id from what the API accepted; a folio that
    cannot be taken in (here: nothing was accepted under its id) fails alone (not retried), the
    batch's table artifact has a row for every folio, and each decided folio is findable in
    Prefect by name with its route: its `claim-intake.folio.routed` event."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from domain.config import Settings
    from flows.intake import intake_batch
    from storage import open_storage

    storage = open_storage(Settings())
    good = [accept(d, storage) for d in sample_folios[:2]]
    started = datetime.now(UTC).isoformat()
    routes = intake_batch([good[0], "ROTO-0001", good[1]])
    assert routes["ROTO-0001"] == "failed: InputError"
    state = storage.state
    for folio in good:
        assert routes[folio] == state.history(folio)[-1].route.value == state.queue_of(folio)
    with get_client(sync_client=True) as client:
        [latest] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["intake-batch"])), limit=1, sort="CREATED_DESC"
        )
    rows = json.loads(latest.data) if isinstance(latest.data, str) else latest.data
    assert sorted(r["folio"] for r in rows) == sorted(["ROTO-0001", *[k for k in routes if k != "ROTO-0001"]])
    assert {r["folio"]: r["route"] for r in rows} == {
        k: ("failed" if v.startswith("failed") else v) for k, v in routes.items()
    }
    for folio in good:  # earlier tests of this server routed the same sample folios: this run's
        event = _routed_events(folio, since=started)[0]
        assert event["resource"]["prefect.resource.name"] == folio
        assert event["payload"]["route"] == routes[folio]


def _routed_events(folio: str, since: str, timeout: float = 20) -> list[dict]:
    """The folio's routed events as Prefect's events API finds them by the folio's resource id
    (the server stores events a moment after they are emitted)."""
    import time

    import httpx
    from prefect.settings import PREFECT_API_URL

    body = {
        "filter": {
            "resource": {"id": [f"claim-intake.folio.{folio}"]},
            "event": {"name": ["claim-intake.folio.routed"]},
            "occurred": {"since": since},
        },
        "limit": 10,
    }
    deadline = time.monotonic() + timeout
    while True:
        found = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json=body, timeout=10).json()["events"]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_recovery_decides_what_an_ended_run_left_once_and_leaves_the_rest(home, sample_folios):
    """recover-undecided: uploads handed to a run that has ended (one Prefect does not know, as
    after a crash that lost it) without a decision are run again and decided once; an upload
    already decided is not touched; a second recovery finds nothing to do."""
    import uuid

    from domain.config import Settings
    from flows.intake import intake_batch
    from flows.recover import recover_undecided
    from storage import open_storage

    storage = open_storage(Settings())
    state = storage.state
    folios = [accept(d, storage) for d in sample_folios[:3]]
    dead_run = str(uuid.uuid4())
    state.set_round_runs([(f, 1) for f in folios], dead_run)
    intake_batch([folios[0]])  # decided before the crash
    assert len(state.history(folios[0])) == 1

    routes = recover_undecided()
    assert sorted(routes) == sorted(folios[1:])
    for folio in folios:
        assert len(state.history(folio)) == 1, folio
        assert state.round_of(folio) == (1, 1)
        assert state.queue_of(folio) == state.history(folio)[-1].route.value
    assert recover_undecided() == {}


def test_a_batch_whose_folios_fail_for_a_reason_not_theirs_ends_failed(home, sample_folios, monkeypatch):
    """A folio that fails for a storage or reader reason (here: the use case raising
    ConnectionError, past its retries) does not stop the others, and the run ends FAILED, so the
    recovery automation (on FAILED as on CRASHED) runs it again at once; an input error alone
    (nothing accepted under the id) does not fail the run."""
    import tenacity

    import flows.intake as intake
    from domain.config import Settings
    from storage import open_storage

    storage = open_storage(Settings())
    good, broken = (accept(d, storage) for d in sample_folios[:2])
    real = intake._take_in_accepted

    def flaky(folio, services, as_of):
        if folio == broken:
            raise ConnectionError("storage went away")
        return real(folio, services, as_of)

    monkeypatch.setattr(
        intake, "_take_in_accepted", tenacity.retry(stop=tenacity.stop_after_attempt(1), reraise=True)(flaky)
    )
    state = intake.intake_batch([good, broken], return_state=True)
    assert state.is_failed()
    with pytest.raises(intake.BatchIncomplete, match="1 of 2"):
        state.result()
    assert storage.state.round_of(good) == (1, 1) and storage.state.round_of(broken) == (1, 0)
    assert intake.intake_batch([good, "NADA-0001"]) == {
        good: storage.state.queue_of(good),
        "NADA-0001": "failed: InputError",
    }
