"""The API's own rows: a folio's inbox directory and uploads, and Idempotency-Key records. Who
owns a folio is folios.owner (storage/state.py), shared with the command line, so a folio id is
one namespace on every path. Kept beside the folio state (same database, same engine) so
PostgreSQL serves many API replicas at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.folio import FolioManifest
from storage.schema import api_folios, api_idempotency, folios
from storage.state import claim_folio_id


def _now() -> datetime:
    return datetime.now(UTC)


class ApiStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        for table in (api_folios, api_idempotency):
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

    def folio_dir(self, folio: str) -> str | None:
        """The inbox directory of a folio a portal created, whoever owns it (the console's
        operators work every folio); None for the command line's folios."""
        with self.engine.begin() as conn:
            return conn.execute(select(api_folios.c.folio_dir).where(api_folios.c.folio == folio)).scalar()

    def claim_folio(self, manifest: FolioManifest, portal: str, folio_dir: str) -> bool:
        """Create the folio for `portal`, its state row and the API's row in one transaction.
        False when the id is taken, by anyone: this portal, another one or the command line get
        the same answer, and nothing of the existing folio is read or changed."""
        try:
            with self.engine.begin() as conn:
                _, created = claim_folio_id(conn, manifest, portal, _now())
                if not created:
                    return False
                conn.execute(
                    insert(api_folios).values(
                        folio=manifest.folio, portal=portal, folio_dir=folio_dir, created_at=_now(), uploads=1
                    )
                )
            return True
        except IntegrityError:  # an API row left from before owners existed: the id stays taken
            return False

    def forget_folio(self, folio: str, portal: str) -> None:
        """Undo claim_folio when the upload could not be put in place (nothing was decided yet)."""
        with self.engine.begin() as conn:
            conn.execute(delete(api_folios).where(api_folios.c.folio == folio, api_folios.c.portal == portal))
            conn.execute(delete(folios).where(folios.c.folio == folio, folios.c.owner == portal))

    def next_upload(self, folio: str) -> int:
        with self.engine.begin() as conn:
            conn.execute(update(api_folios).where(api_folios.c.folio == folio).values(uploads=api_folios.c.uploads + 1))
            return conn.execute(select(api_folios.c.uploads).where(api_folios.c.folio == folio)).scalar_one()

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
