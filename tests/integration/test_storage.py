import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import decision, manifest_json

from domain.decision import Route
from domain.folio import parse_manifest
from storage import BlobCorrupted, LocalBlobStore, StateStore, audit, sha256_of
from storage.users import authenticate, create_user, open_session, session_of

MANIFEST = manifest_json(folio="T-1", received_at="2026-11-20T10:00:00-06:00")


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, tmp_path) -> Iterator[StateStore]:
    """The state store holding folio T-1: every test below runs on the embedded database and
    again on a real PostgreSQL server (tests/pg.py), the two backends CONTRACT.md allows."""
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_pg_database")
    else:
        url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    store = StateStore.from_url(url)
    store.register_folio(parse_manifest(MANIFEST))
    yield store
    store.engine.dispose()


def test_blobs_are_content_addressed_and_verified(tmp_path):
    blobs = LocalBlobStore(tmp_path / "blobs")
    digest = blobs.put(b"original bytes")
    assert digest == sha256_of(b"original bytes")
    assert blobs.put(b"original bytes") == digest  # idempotent
    assert blobs.get(digest) == b"original bytes"
    path = tmp_path / "blobs" / digest[:2] / digest[2:4] / digest
    path.write_bytes(b"tampered")
    with pytest.raises(BlobCorrupted):
        blobs.get(digest)
    assert not list((tmp_path / "blobs").rglob(".incoming-*"))


def test_blob_names_must_be_digests(tmp_path):
    with pytest.raises(ValueError):
        LocalBlobStore(tmp_path).get("../../etc/passwd")


def test_reprocessing_appends_history_and_keeps_one_queue_entry(state):
    state.record_decision(decision(Route.PENDING_DOCUMENTS))
    state.record_decision(decision(Route.ADJUDICATION))
    assert [d.route for d in state.history("T-1")] == [Route.PENDING_DOCUMENTS, Route.ADJUDICATION]
    assert state.queue_of("T-1") == "adjudication"
    assert [r["folio"] for r in state.queue("adjudication")] == ["T-1"]
    assert state.queue("pending_documents") == []
    assert sum(state.queue_counts().values()) == 1


def test_a_round_is_decided_once_and_undecided_rounds_are_listed(state):
    """A run repeated after its worker died (or a retried task) records nothing new for a round
    already decided; a later round is recorded; rounds accepted and not decided are listed."""
    assert state.round_of("T-1") == (0, 0)
    first = state.open_round("T-1")
    assert first == 1 and state.round_of("T-1") == (1, 0)
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert [(r.folio, r.round, r.flow_run) for r in state.undecided(later)] == [("T-1", 1, None)]
    state.set_round_runs([("T-1", 1)], "run-1")
    assert [r.flow_run for r in state.undecided(later)] == ["run-1"]
    assert state.undecided(datetime.now(UTC) - timedelta(hours=1)) == []  # accepted since: not yet late
    assert state.record_decision(decision(Route.PENDING_DOCUMENTS), round_=1) is not None
    assert state.record_decision(decision(Route.ADJUDICATION), round_=1) is None
    assert [d.route for d in state.history("T-1")] == [Route.PENDING_DOCUMENTS]
    assert state.queue_of("T-1") == "pending_documents"
    assert state.undecided(later) == []
    assert state.open_round("T-1") == 2
    assert [(r.folio, r.round, r.flow_run) for r in state.undecided(datetime.now(UTC) + timedelta(seconds=5))] == [
        ("T-1", 2, None)
    ]
    assert state.record_decision(decision(Route.ADJUDICATION), round_=2) is not None
    assert state.record_decision(decision(Route.PENDING_DOCUMENTS), round_=1) is None  # an older round, late
    assert [d.route for d in state.history("T-1")] == [Route.PENDING_DOCUMENTS, Route.ADJUDICATION]
    assert state.round_of("T-1") == (2, 2)
    assert state.record_decision(decision(Route.PENDING_DOCUMENTS)) is not None  # no round: the command line


def test_two_runs_recording_one_round_at_once_leave_one_decision(state):
    state.open_round("T-1")
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda route: state.record_decision(decision(route), round_=1), [Route.ADJUDICATION] * 8)
        )
    assert sum(r is not None for r in results) == 1
    assert len(state.history("T-1")) == 1


def test_unknown_queue_is_refused(state):
    with pytest.raises(ValueError, match="unknown queue"):
        state.queue("limbo")


def test_uuid_index_names_the_other_folio(state):
    other = parse_manifest(MANIFEST.replace(b"T-1", b"T-2"))
    state.register_folio(other)
    state.record_decision(decision(Route.ADJUDICATION), {"AAAA-1": "a.xml"})
    assert state.folios_with_uuids(["AAAA-1", "BBBB-2"], excluding_folio="T-2") == {"AAAA-1": "T-1"}
    assert state.folios_with_uuids(["AAAA-1"], excluding_folio="T-1") == {}  # its own UUID is no duplicate
    state.record_decision(decision(Route.ADJUDICATION), {"AAAA-1": "a.xml"})  # re-run: indexed once
    assert state.folios_with_uuids(["AAAA-1"], excluding_folio="T-2") == {"AAAA-1": "T-1"}


def test_files_are_recorded_once_per_version(state):
    state.record_files("T-1", [("a.pdf", "1" * 64, 10, "application/pdf")])
    state.record_files("T-1", [("a.pdf", "1" * 64, 10, "application/pdf"), ("a.pdf", "2" * 64, 11, "application/pdf")])
    assert [(f["name"], f["sha256"][0]) for f in state.files("T-1")] == [("a.pdf", "1"), ("a.pdf", "2")]


def test_payment_clock_survives_reevaluation(state):
    first = datetime(2026, 11, 20, 12, tzinfo=UTC)
    state.record_decision(decision(Route.ADJUDICATION, complete_at=first, payment_due=date(2026, 12, 20)))
    assert state.first_complete_at("T-1") == first
    state.record_decision(decision(Route.PENDING_DOCUMENTS))
    assert state.first_complete_at("T-1") is None


def test_a_folio_id_belongs_to_whoever_created_it(state):
    """Issue 13 #7: a taken id is refused for any other owner without naming the owner, the
    other owner's folio is left untouched, and a re-evaluation (no owner) keeps the stored one."""
    from storage.state import OPERATOR, FolioTaken

    mine = parse_manifest(MANIFEST.replace(b"T-1", b"T-OWN").replace(b"}", b', "portal": "portal-a"}'))
    state.register_folio(mine, owner="portal-a")
    assert state.owner("T-OWN") == "portal-a"
    forged = parse_manifest(MANIFEST.replace(b"T-1", b"T-OWN").replace(b"reembolso", b"pago_proveedor"))
    for intruder in (OPERATOR, "portal-b"):
        with pytest.raises(FolioTaken) as caught:
            state.register_folio(forged, owner=intruder)
        assert "folio id already taken" in str(caught.value) and "portal-a" not in str(caught.value)
    assert state.manifest("T-OWN")["claim_type"] == "reembolso" and state.manifest("T-OWN")["portal"] == "portal-a"
    state.register_folio(mine, owner="portal-a")  # the owner again: fine
    state.register_folio(mine)  # a re-evaluation keeps the stored owner
    assert state.owner("T-OWN") == "portal-a"
    assert state.owner("T-1") == OPERATOR  # registered without an owner: the operator's


def test_queue_pages_carry_their_decision_and_counts_come_from_one_query(state):
    """The console's queue page (storage.state.queue_page): oldest first, a page at a time, each
    entry with the decision that put it there; counts per queue, empty queues included."""
    for i in range(5):
        folio = f"Q-{i}"
        state.register_folio(parse_manifest(manifest_json(folio=folio)))
        state.record_decision(decision(Route.PENDING_DOCUMENTS, folio=folio, payment_due=date(2026, 12, i + 1)))
    state.record_decision(decision(Route.ADJUDICATION))
    assert state.queue_counts() == {"adjudication": 1, "pending_documents": 5, "awaiting_sat": 0}
    first, second = state.queue_page("pending_documents", 3, 0), state.queue_page("pending_documents", 3, 3)
    assert [e["folio"] for e in first + second] == [f"Q-{i}" for i in range(5)]
    assert [e["decision"].payment_due for e in second] == [date(2026, 12, 4), date(2026, 12, 5)]
    assert state.queue_entry("Q-0")["queue"] == "pending_documents" and state.queue_entry("nope") is None
    assert state.folio_row("T-1")["claim_type"] and state.folio_row("nope") is None
    with pytest.raises(ValueError):
        state.queue_page("elsewhere", 10)


def test_console_accounts_sessions_and_audit_on_both_backends(state):
    user = create_user(state.engine, "ana", "operator", "x" * 12)
    assert authenticate(state.engine, "ana", "x" * 12) == user
    token, session = open_session(state.engine, user, timedelta(hours=1))
    assert session_of(state.engine, token) == session
    audit.append(state.engine, "ana", "login_failed", source="10.0.0.1", detail={"n": 1})
    assert audit.recent_count(state.engine, "ana", "login_failed", "10.0.0.1", timedelta(minutes=5)) == 1
    assert audit.entries(state.engine)[0]["detail"] == {"n": 1}


def _open_store(url: str, go, results) -> None:
    """One process opening the state database as a first `claim-intake process` run does."""
    go.wait(30)
    try:
        StateStore.from_url(url).engine.dispose()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - the test reports whatever the child hit
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_opening_a_new_database_at_once_all_succeed(backend, request, tmp_path):
    """Two first invocations at once used to both run CREATE TABLE and one failed with
    'table folios already exists': creating the tables is serialised by a database lock."""
    if backend == "postgresql":
        url = request.getfixturevalue("fresh_pg_database")
    else:
        url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    ctx = multiprocessing.get_context("spawn")
    go, results = ctx.Event(), ctx.Queue()
    children = [ctx.Process(target=_open_store, args=(url, go, results)) for _ in range(6)]
    for child in children:
        child.start()
    go.set()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(30)
    assert outcomes == ["ok"] * len(children)
    store = StateStore.from_url(url)
    assert store.queue_counts() == {q: 0 for q in ("pending_documents", "adjudication", "awaiting_sat")}
    store.engine.dispose()
