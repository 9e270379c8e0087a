"""The console's append-only audit trail: who did what, when, to which folio, from where.

Only `append` writes, and it only inserts. Failed logins are rows too; `recent_count` is what
the login rate limit counts, so the limit holds across API replicas sharing the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select

from .schema import audit_log


def _now() -> datetime:
    return datetime.now(UTC)


def append(
    engine: Engine,
    actor: str,
    action: str,
    *,
    role: str | None = None,
    folio: str | None = None,
    source: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(audit_log).values(
                at=_now(), actor=actor, role=role, action=action, folio=folio, source=source, detail=detail or {}
            )
        )


def entries(engine: Engine, *, folio: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    """Newest first; one folio's rows when `folio` is given."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
    if folio is not None:
        query = query.where(audit_log.c.folio == folio)
    with engine.begin() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def recent_count(engine: Engine, actor: str, action: str, source: str | None, within: timedelta) -> int:
    """How many `action` rows `actor` has from `source` in the last `within`."""
    with engine.begin() as conn:
        return conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(
                audit_log.c.actor == actor,
                audit_log.c.action == action,
                audit_log.c.source == source,
                audit_log.c.at >= _now() - within,
            )
        ).scalar_one()
