"""The API's own rows: which portal owns a folio, and Idempotency-Key records. Kept beside the
folio state (same database, same engine) so PostgreSQL serves many API replicas at once."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.schema import api_folios, api_idempotency


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ApiStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        for table in (api_folios, api_idempotency):
            table.create(engine, checkfirst=True)

    # -- ownership ------------------------------------------------------------------------
    def owner(self, folio: str) -> dict | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(api_folios).where(api_folios.c.folio == folio)).first()
        return dict(row._mapping) if row else None

    def claim_folio(self, folio: str, portal: str, folio_dir: str) -> bool:
        """Register a new folio for a portal. False if the id is already taken (by anyone)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(api_folios).values(folio=folio, portal=portal, folio_dir=folio_dir,
                                                       created_at=_now(), uploads=1))
            return True
        except IntegrityError:
            return False

    def forget_folio(self, folio: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(api_folios).where(api_folios.c.folio == folio))

    def next_upload(self, folio: str) -> int:
        with self.engine.begin() as conn:
            conn.execute(update(api_folios).where(api_folios.c.folio == folio).values(uploads=api_folios.c.uploads + 1))
            return conn.execute(select(api_folios.c.uploads).where(api_folios.c.folio == folio)).scalar_one()

    def set_flow_run(self, folios: list[str], run_id: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(api_folios).where(api_folios.c.folio.in_(folios)).values(last_flow_run=run_id))

    def portal_folios(self, portal: str):
        return select(api_folios.c.folio).where(api_folios.c.portal == portal)

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
                row = conn.execute(select(api_idempotency).where(
                    api_idempotency.c.portal == portal, api_idempotency.c.key == key)).first()
            return dict(row._mapping) if row else {"status_code": None}

    def finish_idempotent(self, portal: str, key: str, fingerprint: str, status: int, body: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(api_idempotency).where(api_idempotency.c.portal == portal, api_idempotency.c.key == key)
                         .values(fingerprint=fingerprint, status_code=status, response=body))

    def abandon_idempotent(self, portal: str, key: str) -> None:
        """A refused request is not remembered: fixing it and retrying with the same key works."""
        with self.engine.begin() as conn:
            conn.execute(delete(api_idempotency).where(api_idempotency.c.portal == portal, api_idempotency.c.key == key))
