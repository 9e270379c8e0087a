"""What only PostgreSQL can show: Alembic migrations and SKIP LOCKED claiming under concurrency.
The storage suite itself runs on both backends (tests/integration/test_storage.py)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import pytest
from factories import decision, manifest_json
from sqlalchemy import create_engine

from domain.decision import Route
from domain.folio import parse_manifest
from storage import StateStore
from storage.migrations import schema_drift, upgrade


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
        store.register_folio(parse_manifest(manifest_json(folio=folio)))
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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_creators_of_one_folio_id_one_wins(backend, tmp_path, fresh_pg_database):
    """Issue 13 #7: the id is claimed inside the database, so of 12 owners creating the same id
    at once exactly one gets it; every other one is refused and the folio stays the winner's."""
    from storage.state import FolioTaken

    url = fresh_pg_database if backend == "postgresql" else f"sqlite:///{tmp_path / 'o.sqlite'}"
    store = StateStore.from_url(url)
    manifest = parse_manifest(manifest_json(folio="RACE-1"))
    barrier = __import__("threading").Barrier(12)

    def create(n: int) -> str:
        barrier.wait()
        try:
            store.register_folio(manifest, owner=f"portal-{n}")
            return f"portal-{n}"
        except FolioTaken:
            return "taken"

    with ThreadPoolExecutor(12) as pool:
        got = list(pool.map(create, range(12)))
    winners = [g for g in got if g != "taken"]
    assert len(winners) == 1 and got.count("taken") == 11
    assert store.owner("RACE-1") == winners[0]
    store.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0002_gives_existing_folios_their_owner(backend, tmp_path, fresh_pg_database):
    """A database at the baseline: a folio the API accepted, one the command line decided, and one
    the command line decided first and a portal "created" again later (the old leak). After the
    upgrade the first is the portal's and both others the operator's."""
    from datetime import datetime, timedelta

    from sqlalchemy import text

    url = fresh_pg_database if backend == "postgresql" else f"sqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url, "0001")
    engine = create_engine(url)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for folio, created in (("F-API", t0 + timedelta(seconds=5)), ("F-CLI", t0), ("F-LEAK", t0)):
            conn.execute(
                text(
                    "INSERT INTO folios (folio, claim_type, manifest, created_at, updated_at) "
                    "VALUES (:f, 'reembolso', '{}', :c, :c)"
                ),
                {"f": folio, "c": created},
            )
        for folio, created in (("F-API", t0), ("F-LEAK", t0 + timedelta(days=1))):
            conn.execute(
                text(
                    "INSERT INTO api_folios (folio, portal, folio_dir, created_at, uploads) "
                    "VALUES (:f, 'portal-a', '/x', :c, 1)"
                ),
                {"f": folio, "c": created},
            )
    upgrade(url)
    with engine.begin() as conn:
        owners = dict(conn.execute(text("SELECT folio, owner FROM folios")).all())
    assert owners == {"F-API": "portal-a", "F-CLI": "@operator", "F-LEAK": "@operator"}
    assert schema_drift(engine) == []
    engine.dispose()


def test_an_embedded_database_from_before_owners_is_adopted(tmp_path):
    """The embedded default's SQLite (create_all, never migrated, no folios.owner) is brought up to
    date when opened, instead of failing on the missing column."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # as create_all left it
        conn.execute(
            text(
                "INSERT INTO folios (folio, claim_type, manifest, created_at, updated_at) "
                "VALUES ('OLD-1', 'reembolso', '{}', '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            )
        )
    store = StateStore.from_url(url)
    assert store.owner("OLD-1") == "@operator"
    assert schema_drift(store.engine) == []
    store.engine.dispose()
    engine.dispose()
