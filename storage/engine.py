"""The SQLAlchemy engine of the state database: SQLite (the embedded default) or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Engine, create_engine, event


def make_engine(url: str) -> Engine:
    """`hide_parameters`: a failed statement's message would otherwise carry its parameters, a
    manifest with its CLABE and RFCs among them, into logs and the operator's terminal."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key the database gave the one row an INSERT added (SQLAlchemy types it as
    optional: a statement run for many rows has none)."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT returned no primary key")
    return int(key[0])
