"""Folio state, decision history, queues and the UUID index behind one small interface.

Recording a decision is a unit of work: the history row, the queue move and the UUID index
change commit together or not at all, so a crash can never leave a folio in two queues or a
decision without its queue entry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, inspect, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from domain.decision import Decision, Route
from domain.folio import FolioManifest, ManifestError

from .engine import inserted_id, make_engine
from .findings import follow_folio, write_findings
from .migrations import upgrade
from .schema import (
    OPERATOR,
    cfdi_uuids,
    decision_findings,
    decisions,
    folio_files,
    folio_rounds,
    folios,
    metadata,
    queue_entries,
)

QUEUES = tuple(r.value for r in Route)


@dataclass(frozen=True)
class OpenRound:
    """A round of evaluation accepted and not decided yet, and the flow run handed it (if known)."""

    folio: str
    round: int
    accepted_at: datetime
    flow_run: str | None


class FolioTaken(ManifestError):
    """The folio id is taken by another owner. The message never says by whom: folio ids are
    global, so that an id is taken cannot be hidden, but whose it is and what it holds can."""

    def __init__(self, folio: str):
        super().__init__(f"folio {folio!r}: folio id already taken")
        self.folio = folio


def _insert_unless_taken(conn: Connection, values: dict):
    """INSERT … ON CONFLICT (folio) DO NOTHING RETURNING folio: a row back means this statement
    created the folio. The primary key decides between concurrent creators inside the database;
    on PostgreSQL the loser waits for the winner's commit and then sees its row."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
    if dialect is None:
        raise RuntimeError(f"unsupported state database {conn.dialect.name!r}: SQLite or PostgreSQL")
    stmt = dialect.insert(folios).values(**values).on_conflict_do_nothing(index_elements=[folios.c.folio])
    return conn.execute(stmt.returning(folios.c.folio)).first()


def claim_folio_id(conn: Connection, manifest: FolioManifest, owner: str, now: datetime) -> tuple[str, bool]:
    """Create the folio's row for `owner` unless the id exists: (stored owner, created now).
    Run inside the caller's transaction, so what else the caller writes commits with it."""
    values = dict(
        folio=manifest.folio,
        claim_type=manifest.claim_type.value,
        portal=manifest.portal,
        manifest=manifest.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
        owner=owner,
    )
    for _ in range(3):  # a row deleted between the two statements (a refused API upload): try again
        if _insert_unless_taken(conn, values) is not None:
            return owner, True
        stored = conn.execute(select(folios.c.owner).where(folios.c.folio == manifest.folio)).scalar()
        if stored is not None:
            return stored, False
    raise RuntimeError(f"folio {manifest.folio!r}: could not be created or read")


def open_round(conn: Connection, folio: str, number: int, now: datetime) -> None:
    """Open round `number` of the folio inside the caller's transaction (the API's, that accepts
    its `number`-th upload under the folio's lock; the folio row must exist): accepted, not yet
    decided, handed to no run yet."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
    r = folio_rounds
    stmt = dialect.insert(r).values(folio=folio, accepted=number, decided=0, accepted_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[r.c.folio], set_={"accepted": number, "accepted_at": now, "flow_run": None}
    )
    conn.execute(stmt)


def _close_round(conn: Connection, folio: str, round_: int) -> bool:
    """Mark `round_` decided unless it or a later one already is; False when it was. The UPDATE
    takes the row's write lock, so of two runs recording the same round one waits and then
    finds it decided."""
    r = folio_rounds
    done = conn.execute(update(r).where(r.c.folio == folio, r.c.decided < round_).values(decided=round_)).rowcount
    if done:
        return True
    exists = conn.execute(select(r.c.decided).where(r.c.folio == folio)).first()
    if exists is None:  # a round never opened (a folio from before rounds): record, and open it decided
        conn.execute(insert(r).values(folio=folio, accepted=round_, decided=round_, accepted_at=_utcnow()))
        return True
    return False


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored in UTC); PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StateStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        without_findings = _lacks_findings_table(engine)
        _create_tables(engine)
        _adopt_owner_column(engine)
        if without_findings:
            _adopt_findings_table(engine)

    @classmethod
    def from_url(cls, url: str) -> StateStore:
        return cls(make_engine(url))

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- intake ---------------------------------------------------------------------------
    def register_folio(self, manifest: FolioManifest, owner: str | None = None) -> None:
        """Record the folio's manifest. With an `owner` (the command line's OPERATOR, a portal) the
        id is claimed for it, or must already be its own: otherwise FolioTaken, and nothing of the
        other owner's folio is read or changed. Without one (a re-evaluation: an API upload's flow
        run, `claim-intake add`) the folio keeps the owner it has; an id nobody has yet becomes the
        operator's. The owner of a folio never changes."""
        now = _utcnow()
        with self._tx() as conn:
            stored, created = claim_folio_id(conn, manifest, owner or OPERATOR, now)
            if owner is not None and stored != owner:
                raise FolioTaken(manifest.folio)
            if not created:
                conn.execute(
                    update(folios)
                    .where(folios.c.folio == manifest.folio)
                    .values(
                        claim_type=manifest.claim_type.value,
                        portal=manifest.portal,
                        manifest=manifest.model_dump(mode="json"),
                        updated_at=now,
                    )
                )
                follow_folio(conn, manifest.folio, manifest.claim_type.value, manifest.portal)

    def folio_row(self, folio: str) -> dict | None:
        """The folio's row (claim type, portal, owner, manifest, dates), or None."""
        with self._tx() as conn:
            row = conn.execute(select(folios).where(folios.c.folio == folio)).first()
            return dict(row._mapping) if row else None

    def owner(self, folio: str) -> str | None:
        with self._tx() as conn:
            return conn.execute(select(folios.c.owner).where(folios.c.folio == folio)).scalar()

    def record_files(self, folio: str, files: Iterable[tuple[str, str, int, str]]) -> None:
        """(name, sha256, size, media_type) of originals already in the blob store."""
        now = _utcnow()
        with self._tx() as conn:
            known = {
                (r.name, r.sha256)
                for r in conn.execute(
                    select(folio_files.c.name, folio_files.c.sha256).where(folio_files.c.folio == folio)
                )
            }
            rows = [
                {"folio": folio, "name": n, "sha256": s, "size": z, "media_type": m, "stored_at": now}
                for n, s, z, m in files
                if (n, s) not in known
            ]
            if rows:
                conn.execute(insert(folio_files), rows)

    def files(self, folio: str) -> list[dict]:
        with self._tx() as conn:
            rows = conn.execute(select(folio_files).where(folio_files.c.folio == folio).order_by(folio_files.c.id))
            return [dict(r._mapping) for r in rows]

    def manifest(self, folio: str) -> dict | None:
        """The folio.json last registered for `folio`, as stored (re-evaluation from storage)."""
        with self._tx() as conn:
            row = conn.execute(select(folios.c.manifest).where(folios.c.folio == folio)).first()
            return row.manifest if row else None

    # -- decisions ------------------------------------------------------------------------
    def record_decision(
        self,
        decision: Decision,
        uuids: dict[str, str] | None = None,
        flow_run_id: str | None = None,
        round_: int | None = None,
    ) -> int | None:
        """Append the decision and its findings' rows, move the folio to its queue and index its
        CFDI UUIDs, atomically. `flow_run_id`: the orchestrator's run that made it, kept in the
        stored body beside the decision (not a field of the decision: its JSON is the contract)
        for the console. With `round_` (the folio's round of evaluation it answers,
        folio_rounds) it is recorded only if no decision answered that round or a later one yet,
        and None is returned otherwise: the round was decided already (a retried or recovered
        run), nothing changed."""
        now = _utcnow()
        body = _body(decision, flow_run_id)
        values = dict(
            folio=decision.folio,
            route=decision.route.value,
            ruleset=decision.ruleset,
            evaluated_at=decision.evaluated_at,
        )
        with self._tx() as conn:
            if round_ is not None and not _close_round(conn, decision.folio, round_):
                return None
            decision_id = inserted_id(
                conn.execute(insert(decisions).values(**values, complete_at=decision.complete_at, body=body))
            )
            write_findings(conn, decision_id, body, values)
            current = conn.execute(select(queue_entries.c.queue).where(queue_entries.c.folio == decision.folio)).first()
            if current is None:
                conn.execute(
                    insert(queue_entries).values(
                        folio=decision.folio, queue=decision.route.value, entered_at=now, decision_id=decision_id
                    )
                )
            elif current.queue != decision.route.value:
                conn.execute(
                    update(queue_entries)
                    .where(queue_entries.c.folio == decision.folio)
                    .values(queue=decision.route.value, entered_at=now, decision_id=decision_id, claimed_by=None)
                )
            else:
                conn.execute(
                    update(queue_entries).where(queue_entries.c.folio == decision.folio).values(decision_id=decision_id)
                )
            for uuid, file in (uuids or {}).items():
                seen = conn.execute(
                    select(cfdi_uuids.c.uuid).where(cfdi_uuids.c.uuid == uuid, cfdi_uuids.c.folio == decision.folio)
                ).first()
                if not seen:
                    conn.execute(insert(cfdi_uuids).values(uuid=uuid, folio=decision.folio, file=file, first_seen=now))
            return decision_id

    def flow_runs(self, folio: str) -> list[str | None]:
        """The run that made each decision of the folio, in the order of `history` (None where
        none was noted: the command line without a flow, decisions older than the note)."""
        with self._tx() as conn:
            rows = conn.execute(select(decisions.c.body).where(decisions.c.folio == folio).order_by(decisions.c.id))
            return [r.body.get(RUN_KEY) for r in rows]

    def history(self, folio: str) -> list[Decision]:
        with self._tx() as conn:
            rows = conn.execute(select(decisions.c.body).where(decisions.c.folio == folio).order_by(decisions.c.id))
            return [_decision(r.body) for r in rows]

    def last_decision(self, folio: str) -> Decision | None:
        with self._tx() as conn:
            row = conn.execute(
                select(decisions.c.body).where(decisions.c.folio == folio).order_by(decisions.c.id.desc()).limit(1)
            ).first()
            return _decision(row.body) if row else None

    def first_complete_at(self, folio: str) -> datetime | None:
        """When this folio first became complete, if it still is: the Art. 71 clock."""
        last = self.last_decision(folio)
        if last is None or last.complete_at is None:
            return None
        return last.complete_at

    # -- queues ---------------------------------------------------------------------------
    def queue_of(self, folio: str) -> str | None:
        with self._tx() as conn:
            row = conn.execute(select(queue_entries.c.queue).where(queue_entries.c.folio == folio)).first()
            return row.queue if row else None

    def queue(self, name: str) -> list[dict]:
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    queue_entries.c.folio,
                    queue_entries.c.entered_at,
                    queue_entries.c.claimed_by,
                    folios.c.claim_type,
                    folios.c.portal,
                )
                .join(folios, folios.c.folio == queue_entries.c.folio)
                .where(queue_entries.c.queue == name)
                .order_by(queue_entries.c.entered_at)
            )
            return [dict(r._mapping) for r in rows]

    def queue_counts(self) -> dict[str, int]:
        """Folios in each queue, one GROUP BY (the console shows them on every queue page)."""
        with self._tx() as conn:
            rows = conn.execute(select(queue_entries.c.queue, func.count()).group_by(queue_entries.c.queue)).all()
        found = {r[0]: r[1] for r in rows}
        return {name: found.get(name, 0) for name in QUEUES}

    def queue_page(self, name: str, limit: int, offset: int = 0) -> list[dict]:
        """One page of a queue, oldest first, each entry with the decision that put it there
        (what it waits for, the Art. 71 due date). Ordered by (entered_at, folio) on the
        (queue, entered_at) index, so a page reads `limit` rows and their decisions by key."""
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    queue_entries.c.folio,
                    queue_entries.c.entered_at,
                    queue_entries.c.claimed_by,
                    folios.c.claim_type,
                    folios.c.portal,
                    decisions.c.body,
                )
                .join(folios, folios.c.folio == queue_entries.c.folio)
                .join(decisions, decisions.c.id == queue_entries.c.decision_id)
                .where(queue_entries.c.queue == name)
                .order_by(queue_entries.c.entered_at, queue_entries.c.folio)
                .limit(limit)
                .offset(offset)
            )
            return [{**r._mapping, "decision": _decision(r.body)} for r in rows]

    def queue_entry(self, folio: str) -> dict | None:
        """The folio's queue row (queue, entered_at, claimed_by), or None when it has none."""
        with self._tx() as conn:
            row = conn.execute(select(queue_entries).where(queue_entries.c.folio == folio)).first()
            return dict(row._mapping) if row else None

    def claim_next(self, name: str, who: str, only_folios=None) -> str | None:
        """Give the oldest unclaimed folio of a queue to one adjudicator, or None when the queue is
        empty. Two adjudicators never get the same folio: on PostgreSQL the row is taken with
        `SELECT … FOR UPDATE SKIP LOCKED` (concurrent claimers skip it instead of waiting); on
        SQLite one `UPDATE … WHERE claimed_by IS NULL RETURNING` is atomic under its write lock.
        `only_folios` (a SELECT of folio ids) limits the claim to those folios, e.g. one portal's."""
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
        q = queue_entries
        candidates = select(q.c.folio).where(q.c.queue == name, q.c.claimed_by.is_(None))
        if only_folios is not None:
            candidates = candidates.where(q.c.folio.in_(only_folios))
        candidates = candidates.order_by(q.c.entered_at, q.c.folio).limit(1)
        with self._tx() as conn:
            if self.engine.dialect.name == "postgresql":
                row = conn.execute(candidates.with_for_update(skip_locked=True)).first()
                if row is None:
                    return None
                conn.execute(update(q).where(q.c.folio == row.folio).values(claimed_by=who))
                return row.folio
            row = conn.execute(
                update(q)
                .where(q.c.folio == candidates.scalar_subquery(), q.c.claimed_by.is_(None))
                .values(claimed_by=who)
                .returning(q.c.folio)
            ).first()
            return row.folio if row else None

    def release(self, folio: str, who: str) -> bool:
        """Give a claimed folio back to its queue; only its claimer can. False if not claimed by `who`."""
        with self._tx() as conn:
            result = conn.execute(
                update(queue_entries)
                .where(queue_entries.c.folio == folio, queue_entries.c.claimed_by == who)
                .values(claimed_by=None)
            )
            return result.rowcount == 1

    # -- rounds of evaluation --------------------------------------------------------------
    def open_round(self, folio: str, number: int | None = None) -> int:
        """Open the folio's round `number` (default: the next one) in a transaction of its own;
        its number. The API opens rounds inside its own transactions (open_round)."""
        with self._tx() as conn:
            if number is None:
                current = conn.execute(select(folio_rounds.c.accepted).where(folio_rounds.c.folio == folio)).scalar()
                number = (current or 0) + 1
            open_round(conn, folio, number, _utcnow())
            return number

    def round_of(self, folio: str) -> tuple[int, int]:
        """(accepted, decided) rounds of `folio`; (0, 0) for a folio without rounds."""
        with self._tx() as conn:
            row = conn.execute(
                select(folio_rounds.c.accepted, folio_rounds.c.decided).where(folio_rounds.c.folio == folio)
            ).first()
        return (row.accepted, row.decided) if row else (0, 0)

    def set_round_runs(self, rounds: Iterable[tuple[str, int]], flow_run: str | None) -> None:
        """The flow run that was handed each (folio, round); a newer round keeps its own."""
        r = folio_rounds
        with self._tx() as conn:
            for folio, number in rounds:
                conn.execute(update(r).where(r.c.folio == folio, r.c.accepted == number).values(flow_run=flow_run))

    def undecided(self, accepted_before: datetime, limit: int = 500) -> list[OpenRound]:
        """Folios with a round accepted before `accepted_before` that no decision answers yet,
        oldest first: what a worker that died left undone (or a run still at work: see flow_run)."""
        r = folio_rounds
        with self._tx() as conn:
            rows = conn.execute(
                select(r.c.folio, r.c.accepted, r.c.accepted_at, r.c.flow_run)
                .where(r.c.accepted > r.c.decided, r.c.accepted_at < accepted_before)
                .order_by(r.c.accepted_at, r.c.folio)
                .limit(limit)
            ).all()
        return [OpenRound(row.folio, row.accepted, _aware(row.accepted_at), row.flow_run) for row in rows]

    # -- UUID index -----------------------------------------------------------------------
    def folios_with_uuids(self, uuids: Iterable[str], excluding_folio: str) -> dict[str, str]:
        """UUID -> the (earliest) other folio that already submitted it (CFDI-012)."""
        uuids = sorted({u.upper() for u in uuids})
        if not uuids:
            return {}
        with self._tx() as conn:
            rows = conn.execute(
                select(cfdi_uuids.c.uuid, cfdi_uuids.c.folio)
                .where(cfdi_uuids.c.uuid.in_(uuids), cfdi_uuids.c.folio != excluding_folio)
                .order_by(cfdi_uuids.c.first_seen)
            )
            found: dict[str, str] = {}
            for row in rows:
                found.setdefault(row.uuid, row.folio)
            return found

    def clear(self) -> None:
        """Drop every row (tests and the demo's fresh start only)."""
        with self._tx() as conn:
            for table in (queue_entries, cfdi_uuids, decision_findings, decisions, folio_rounds, folio_files, folios):
                conn.execute(delete(table))


RUN_KEY = "flow_run_id"  # beside the decision's fields in the stored body, when a run made it


def _body(decision: Decision, flow_run_id: str | None) -> dict:
    body = decision.model_dump(mode="json")
    return {**body, RUN_KEY: flow_run_id} if flow_run_id else body


def _decision(body: dict) -> Decision:
    return Decision.model_validate({k: v for k, v in body.items() if k != RUN_KEY})


# Any fixed number: the key of the PostgreSQL advisory lock that serialises table creation.
_SCHEMA_LOCK_KEY = 7_262_026


def _create_tables(engine: Engine) -> None:
    """create_all checks which tables exist and then creates the missing ones; two processes
    opening a new database at once (two first `claim-intake process` runs, API replicas) would both
    see none and the second fail on CREATE TABLE. A database lock held across both steps makes the
    later one wait and then find the tables there: BEGIN IMMEDIATE on SQLite (its DDL is
    transactional), a transaction-scoped advisory lock on PostgreSQL."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
        metadata.create_all(conn)
        conn.commit()


def _adopt_owner_column(engine: Engine) -> None:
    """A state database created before folios had owners, or before API folios had no inbox
    directory (api_folios.folio_dir nullable, 0005): the embedded default (SQLite, built by
    create_all, never migrated) is brought up to date here by the Alembic migrations; PostgreSQL
    is migrated by its operator (`claim-intake db upgrade`), so several API replicas never race
    to alter it."""
    found = inspect(engine)
    owners = "owner" in {c["name"] for c in found.get_columns("folios")}
    no_inbox = all(c["nullable"] for c in found.get_columns("api_folios") if c["name"] == "folio_dir")
    if owners and no_inbox:
        return
    if engine.dialect.name != "sqlite":
        raise RuntimeError("the state database predates this version's schema: run `claim-intake db upgrade`")
    upgrade(engine.url.render_as_string(hide_password=False))


def _lacks_findings_table(engine: Engine) -> bool:
    """A database with decisions from before decision_findings (checked before create_all,
    which would add the table empty)."""
    tables = set(inspect(engine).get_table_names())
    return "decisions" in tables and "decision_findings" not in tables


def _adopt_findings_table(engine: Engine) -> None:
    """The embedded default (SQLite, built by create_all) gets the table's rows from its
    decisions' bodies by the Alembic migration that back-fills them (0007), as the owner column
    is adopted; PostgreSQL gets them from `claim-intake db upgrade` (the migration fills whatever
    decision has no rows yet, also when create_all made the table first)."""
    if engine.dialect.name == "sqlite":
        upgrade(engine.url.render_as_string(hide_password=False))
