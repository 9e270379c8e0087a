"""The storage suite (tests/test_storage.py) again, on a real PostgreSQL server, plus what only
PostgreSQL can show: Alembic migrations and SKIP LOCKED claiming under concurrency."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine

from claim_intake.decision import Route
from claim_intake.folio import parse_manifest
from storage import StateStore
from storage.migrations import upgrade, schema_drift

from test_storage import *  # noqa: F401,F403  (the same tests, with the PostgreSQL `state` below)
from test_storage import MANIFEST, decision


@pytest.fixture
def state(fresh_pg_database) -> StateStore:  # overrides test_storage.state: same tests, PostgreSQL
    store = StateStore.from_url(fresh_pg_database)
    store.register_folio(parse_manifest(MANIFEST))
    yield store
    store.engine.dispose()


def test_alembic_builds_the_schema_the_code_expects(fresh_pg_database):
    upgrade(fresh_pg_database)
    engine = create_engine(fresh_pg_database)
    assert schema_drift(engine) == []
    upgrade(fresh_pg_database)  # idempotent: already at head
    engine.dispose()


def test_alembic_on_sqlite_too(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    upgrade(url)
    assert schema_drift(create_engine(url)) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_claims_never_share_a_folio(backend, tmp_path, fresh_pg_database):
    url = fresh_pg_database if backend == "postgresql" else f"sqlite:///{tmp_path / 'c.sqlite'}"
    store = StateStore.from_url(url)
    for i in range(12):
        folio = f"C-{i:02d}"
        store.register_folio(parse_manifest(MANIFEST.replace(b"T-1", folio.encode())))
        store.record_decision(decision(Route.ADJUDICATION, folio=folio))
    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda n: store.claim_next("adjudication", f"adj-{n % 6}"), range(16)))
    claimed = [g for g in got if g]
    assert sorted(claimed) == [f"C-{i:02d}" for i in range(12)]  # each once, none twice
    assert got.count(None) == 4
    owner = {r["folio"]: r["claimed_by"] for r in store.queue("adjudication")}
    first = claimed[0]
    assert not store.release(first, "someone-else")
    assert store.release(first, owner[first])
    assert store.claim_next("adjudication", "adj-x") == first
    store.engine.dispose()
