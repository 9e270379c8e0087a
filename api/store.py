"""The API's own rows: a folio's uploads, the files it holds (name, size, SHA-256 of blobs in
the blob store) against the folio limits, and Idempotency-Key records. Who owns a folio is folios.owner (storage/state.py), shared
with the command line, so a folio id is one namespace on every path. Kept beside the folio state
(same database, same engine) so PostgreSQL serves many API replicas at once.

The limits (PKG-004 files, PKG-005 bytes) are decided here, not while the body streams in: the
stream only stops an upload early that could never fit. An accepted upload locks its folio's
counter row (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), checks what the folio
will hold with it, commits its staged blobs and registers them before the lock is released, so
concurrent uploads to one folio, on one replica or many, are decided one after the other. No
file is moved anywhere: the worker reads the registered files from the blob store by the folio's
id (storage.read_accepted)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from domain.errors import InputError
from domain.folio import FolioManifest
from storage import BlobStore
from storage.schema import api_folios, api_idempotency, api_upload_files, api_upload_totals, folio_files, folios
from storage.state import claim_folio_id, open_round

MANIFEST_NAME = "folio.json"


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_bytes: int


@dataclass(frozen=True)
class AcceptedFile:
    name: str
    size: int
    sha256: str


class OverLimit(InputError):
    """The upload would take the folio past a limit; `code` is the rule (PKG-004 or PKG-005)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _check(limits: Limits, files: int, size: int) -> None:
    if files > limits.max_files:
        raise OverLimit(
            "PKG-004",
            f"too many files: with this upload the folio would hold {files}; "
            f"a folio holds at most {limits.max_files} (folio.json not counted)",
        )
    if size > limits.max_bytes:
        raise OverLimit(
            "PKG-005",
            f"too large: with this upload the folio's files would be {size} bytes; "
            f"the limit is {limits.max_bytes} bytes (50 MiB)",
        )


def _lock(conn: Connection) -> None:
    """SQLite has no row locks: take the database's write lock before the first read, so the
    totals read next cannot change before this transaction commits (a deferred transaction
    would read first and fail to upgrade its lock when another upload committed meanwhile)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _totals(conn: Connection, folio: str, *, lock: bool = True) -> tuple[int, int] | None:
    """The folio's counter row, locked until commit on PostgreSQL (SQLite: see _lock)."""
    t = api_upload_totals
    query = select(t.c.files, t.c.bytes).where(t.c.folio == folio)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return (row.files, row.bytes) if row else None


def _now() -> datetime:
    return datetime.now(UTC)


class ApiStore:
    def __init__(self, engine: Engine, blobs: BlobStore | None = None):
        self.engine, self.blobs = engine, blobs  # blobs: only to adopt a folio from its old inbox directory
        for table in (api_folios, api_idempotency, api_upload_totals, api_upload_files):
            table.create(engine, checkfirst=True)

    # -- ownership ------------------------------------------------------------------------
    def owned(self, folio: str, portal: str) -> dict | None:
        """The API's row of `folio` if `portal` owns it (folios.owner decides), else None: another
        owner's folio, the command line's included, is as absent as one that does not exist."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(api_folios)
                .join(folios, folios.c.folio == api_folios.c.folio)
                .where(api_folios.c.folio == folio, folios.c.owner == portal)
            ).first()
        return dict(row._mapping) if row else None

    def claim_folio(
        self,
        manifest: FolioManifest,
        portal: str,
        files: Sequence[AcceptedFile] = (),
        limits: Limits | None = None,
        place: Callable[[], None] = lambda: None,
    ) -> bool:
        """Create the folio for `portal`: its state row, the API's row, its counter and its files,
        in one transaction, inside which `place()` makes the staged files blobs (so what is
        registered is in the blob store before anyone can read the registration). False when the
        id is taken, by anyone: this portal, another one or the command line get the same answer,
        and nothing of the existing folio is read or changed. OverLimit when `files` break
        `limits`. Placed blobs whose registration then fails to commit stay as unreferenced
        content (content-addressed, so harmless and shared by any later identical upload)."""
        if limits is not None:
            _check(limits, len(files), sum(f.size for f in files))
        try:
            with self.engine.begin() as conn:
                _, created = claim_folio_id(conn, manifest, portal, _now())
                if not created:
                    return False
                conn.execute(
                    insert(api_folios).values(
                        folio=manifest.folio, portal=portal, folio_dir=None, created_at=_now(), uploads=1
                    )
                )
                open_round(conn, manifest.folio, 1, _now())
                conn.execute(
                    insert(api_upload_totals).values(
                        folio=manifest.folio, files=len(files), bytes=sum(f.size for f in files)
                    )
                )
                self._register(conn, manifest.folio, files)
                place()
            return True
        except IntegrityError:  # an API row left from before owners existed: the id stays taken
            return False

    def totals(self, folio: str) -> tuple[int, int]:
        """(files, bytes) the folio holds now, unlocked: only for stopping early an upload that
        cannot fit; add_files decides."""
        with self.engine.begin() as conn:
            return _totals(conn, folio, lock=False) or (0, 0)

    def add_files(
        self, folio: str, files: Sequence[AcceptedFile], limits: Limits, place: Callable[[], None] = lambda: None
    ) -> int:
        """Accept `files` into the folio or refuse them all (OverLimit): with the folio's counter
        row locked, count what it will hold (a name sent again replaces its file, so it counts
        once, with its new size), check the limits, then run `place()` (commit the staged blobs)
        and register them before the lock is released. Returns the upload's number. No files
        (the console's re-run) still counts an upload: a new evaluation of the folio, with a
        number of its own for the flow run's idempotency key. A folio the API has no row for
        (the command line's, sent files from the console) gets one here, owned as it is."""
        with self.engine.begin() as conn:
            _lock(conn)
            if _totals(conn, folio) is None:  # locks the row (PostgreSQL), if it exists
                self._adopt(conn, folio)
                _totals(conn, folio)  # it exists now: lock it
            rows = conn.execute(
                select(api_upload_files.c.name, api_upload_files.c.size).where(api_upload_files.c.folio == folio)
            )
            held = {r.name: r.size for r in rows}
            held.update((f.name, f.size) for f in files)
            count, size = len(held), sum(held.values())
            if files:  # a re-run adds nothing, so it cannot take a folio past a limit
                _check(limits, count, size)
            conn.execute(
                update(api_upload_totals).where(api_upload_totals.c.folio == folio).values(files=count, bytes=size)
            )
            conn.execute(
                delete(api_upload_files).where(
                    api_upload_files.c.folio == folio, api_upload_files.c.name.in_([f.name for f in files])
                )
            )
            self._register(conn, folio, files)
            conn.execute(update(api_folios).where(api_folios.c.folio == folio).values(uploads=api_folios.c.uploads + 1))
            number = conn.execute(select(api_folios.c.uploads).where(api_folios.c.folio == folio)).scalar_one()
            open_round(conn, folio, number, _now())
            place()
            return number

    def accepted_files(self, folio: str) -> dict[str, AcceptedFile]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(api_upload_files).where(api_upload_files.c.folio == folio))
            return {r.name: AcceptedFile(r.name, r.size, r.sha256) for r in rows}

    @staticmethod
    def _register(conn: Connection, folio: str, files: Sequence[AcceptedFile]) -> None:
        if files:
            conn.execute(
                insert(api_upload_files),
                [{"folio": folio, "name": f.name, "size": f.size, "sha256": f.sha256} for f in files],
            )

    def _adopt(self, conn: Connection, folio: str) -> None:
        """A folio with no counter yet, counted once under the lock: one accepted before the
        counters existed (migration 0003) from its inbox directory, its files streamed into the
        blob store for their SHA-256; any other (the command line's) from what storage recorded
        of it, the newest version of each name. A folio without an API row gets one."""
        owner = conn.execute(select(folios.c.owner).where(folios.c.folio == folio)).scalar()
        if owner is None:
            raise InputError(f"folio {folio}: unknown")
        folio_dir = conn.execute(select(api_folios.c.folio_dir).where(api_folios.c.folio == folio)).first()
        if folio_dir is None:
            conn.execute(
                insert(api_folios).values(folio=folio, portal=owner, folio_dir=None, created_at=_now(), uploads=0)
            )
        if folio_dir is not None and folio_dir[0] and Path(folio_dir[0]).is_dir():
            present = self._from_directory(Path(folio_dir[0]))
        else:
            newest: dict[str, AcceptedFile] = {}
            for row in conn.execute(
                select(folio_files.c.name, folio_files.c.size, folio_files.c.sha256)
                .where(folio_files.c.folio == folio)
                .order_by(folio_files.c.id)
            ):  # oldest first: a later version of a name wins
                newest[row.name] = AcceptedFile(row.name, row.size, row.sha256)
            present = list(newest.values())
        dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
        values = dict(folio=folio, files=len(present), bytes=sum(f.size for f in present))
        stmt = dialect.insert(api_upload_totals).values(**values).on_conflict_do_nothing()
        if conn.execute(stmt.returning(api_upload_totals.c.folio)).first():  # else adopted by a concurrent upload
            self._register(conn, folio, present)

    def _from_directory(self, folio_dir: Path) -> list[AcceptedFile]:
        if self.blobs is None:
            raise RuntimeError("adopting a folio from its inbox directory needs the blob store")
        present = []
        for p in sorted(folio_dir.iterdir()):
            if p.is_file() and not p.is_symlink() and p.name != MANIFEST_NAME:
                with p.open("rb") as handle:
                    present.append(AcceptedFile(p.name, p.stat().st_size, self.blobs.put_stream(handle)))
        return present

    def set_flow_run(self, folios: list[str], run_id: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(api_folios).where(api_folios.c.folio.in_(folios)).values(last_flow_run=run_id))

    def portal_folios(self, portal: str):
        return select(folios.c.folio).where(folios.c.owner == portal)

    # -- idempotency ----------------------------------------------------------------------
    def begin_idempotent(self, portal: str, key: str) -> dict | None:
        """Reserve (portal, key). None when reserved now; else the existing record
        (`status_code` None: the first request is still in progress)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(api_idempotency).values(portal=portal, key=key, created_at=_now()))
            return None
        except IntegrityError:
            with self.engine.begin() as conn:
                row = conn.execute(
                    select(api_idempotency).where(api_idempotency.c.portal == portal, api_idempotency.c.key == key)
                ).first()
            return dict(row._mapping) if row else {"status_code": None}

    def finish_idempotent(self, portal: str, key: str, fingerprint: str, status: int, body: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(api_idempotency)
                .where(api_idempotency.c.portal == portal, api_idempotency.c.key == key)
                .values(fingerprint=fingerprint, status_code=status, response=body)
            )

    def abandon_idempotent(self, portal: str, key: str) -> None:
        """A refused request is not remembered: fixing it and retrying with the same key works."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(api_idempotency).where(api_idempotency.c.portal == portal, api_idempotency.c.key == key)
            )
