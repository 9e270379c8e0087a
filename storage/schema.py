"""Tables of folio state, decision history, queues and the CFDI UUID index.

SQLAlchemy Core, portable between SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON, BigInteger, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    UniqueConstraint,
)

metadata = MetaData()

folios = Table(
    "folios", metadata,
    Column("folio", String(64), primary_key=True),
    Column("claim_type", String(32), nullable=False),
    Column("portal", String(64)),
    Column("manifest", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every original ever received for a folio, by name: re-uploads add rows, nothing is removed.
folio_files = Table(
    "folio_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("folio", String(64), ForeignKey("folios.folio"), nullable=False),
    Column("name", String(512), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("folio", "name", "sha256", name="uq_folio_file_version"),
)

# Append-only: a re-evaluation adds a row, never updates one.
decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("folio", String(64), ForeignKey("folios.folio"), nullable=False),
    Column("route", String(32), nullable=False),
    Column("ruleset", String(32), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("complete_at", DateTime(timezone=True)),
    Column("body", JSON, nullable=False),
    Index("ix_decisions_folio", "folio", "id"),
)

# One row per folio: the primary key is what keeps a folio in exactly one queue.
queue_entries = Table(
    "queue_entries", metadata,
    Column("folio", String(64), ForeignKey("folios.folio"), primary_key=True),
    Column("queue", String(32), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False),
    Column("claimed_by", String(128)),
    Index("ix_queue_entries_queue", "queue", "entered_at"),
)

cfdi_uuids = Table(
    "cfdi_uuids", metadata,
    Column("uuid", String(36), nullable=False),
    Column("folio", String(64), ForeignKey("folios.folio"), nullable=False),
    Column("file", String(512), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("uuid", "folio", name="uq_uuid_folio"),
    Index("ix_cfdi_uuids_uuid", "uuid"),
)

# SAT status answers per CFDI UUID (storage/sat_cache.py). Only answers SAT actually gave are
# stored, never a failure. `Cancelado` is final; other states are re-checked after an age.
sat_status_cache = Table(
    "sat_status_cache", metadata,
    Column("uuid", String(36), primary_key=True),
    Column("estado", String(32), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("answer", JSON, nullable=False),  # sat.status.SatStatus, raw XML included
)

# Shared rate limiters for SAT services (sat/ratelimit.py): one row per limiter; `tat` is the
# GCRA "theoretical arrival time" in epoch seconds, moved by one atomic UPDATE per call.
sat_rate_limits = Table(
    "sat_rate_limits", metadata,
    Column("name", String(64), primary_key=True),
    Column("tat", Float, nullable=False),
)
