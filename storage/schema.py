"""Tables of folio state, decision history, queues and the CFDI UUID index.

SQLAlchemy Core, portable between SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# The owner of folios created from the command line (folios.owner). '@' cannot start a portal
# name (api.keys.PORTAL_RE), so no API key can ever be this owner and see the operator's folios.
OPERATOR = "@operator"

# `owner` is who created the folio and the only one who may see or change it: the portal whose
# API key uploaded it, or OPERATOR for the command line. Set once, by
# the INSERT that claimed the id (the primary key makes two creators impossible), never updated.
# The server default only fills rows from before owners existed (migration 0002).
# `portal` is only what folio.json says, never trusted for access.
folios = Table(
    "folios",
    metadata,
    Column("folio", String(64), primary_key=True),
    Column("claim_type", String(32), nullable=False),
    Column("portal", String(64)),
    Column("manifest", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("owner", String(64), nullable=False, server_default=OPERATOR),
)

# Every original ever received for a folio, by name: re-uploads add rows, nothing is removed.
folio_files = Table(
    "folio_files",
    metadata,
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
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("folio", String(64), ForeignKey("folios.folio"), nullable=False),
    Column("route", String(32), nullable=False),
    Column("ruleset", String(32), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("complete_at", DateTime(timezone=True)),
    Column("body", JSON, nullable=False),
    Index("ix_decisions_folio", "folio", "id"),
)

# A folio's rounds of evaluation: `accepted` counts what was handed to the intake (each accepted
# API upload, a console upload or re-run), `decided` the newest round a recorded decision answered.
# A decision for round n is recorded only while decided < n, in the same transaction that raises
# it: a re-run of a round (a retried task, a batch run again after its worker died) never appends
# a second decision. accepted > decided for longer than a run takes is work a dead worker left
# (application/recover.py), unless `flow_run`, the Prefect flow run handed the round, still runs.
# Folios of the command line, evaluated where they are, have no row.
folio_rounds = Table(
    "folio_rounds",
    metadata,
    Column("folio", String(64), ForeignKey("folios.folio"), primary_key=True),
    Column("accepted", Integer, nullable=False),
    Column("decided", Integer, nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    Column("flow_run", String(64)),
    Index("ix_folio_rounds_open", "accepted_at"),
)

# One row per finding of each recorded decision, written in the decision's own transaction
# (storage/state.py) and back-filled from older decisions' bodies (migration 0007), so the
# console's findings view filters, counts and pages with indexes instead of reading every
# decision body of a period (storage/findings.py). `position` keeps the decision's order: the
# folio findings first, then each document's. claim_type and portal are the folio's, as the
# period report joins them: register_folio updates them here when a manifest changes them.
# `portal` is stored as shown ("-" for none), `file` and `kind` are "" for a folio finding.
decision_findings = Table(
    "decision_findings",
    metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("folio", String(64), ForeignKey("folios.folio"), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("claim_type", String(32), nullable=False),
    Column("portal", String(64), nullable=False),
    Column("route", String(32), nullable=False),
    Column("ruleset", String(32), nullable=False),
    Column("file", Text, nullable=False),  # as the decision names it (no length limit there)
    Column("kind", String(64), nullable=False),
    Column("code", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("message_es", Text, nullable=False),
    Index("ix_decision_findings_at", "evaluated_at", "folio"),
    Index("ix_decision_findings_code", "code", "evaluated_at", "folio"),
    Index("ix_decision_findings_folio", "folio"),
)

# One row per folio: the primary key is what keeps a folio in exactly one queue.
queue_entries = Table(
    "queue_entries",
    metadata,
    Column("folio", String(64), ForeignKey("folios.folio"), primary_key=True),
    Column("queue", String(32), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False),
    Column("claimed_by", String(128)),
    Index("ix_queue_entries_queue", "queue", "entered_at"),
)

cfdi_uuids = Table(
    "cfdi_uuids",
    metadata,
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
    "sat_status_cache",
    metadata,
    Column("uuid", String(36), primary_key=True),
    Column("estado", String(32), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("answer", JSON, nullable=False),  # sat.status.SatStatus, raw XML included
)

# Shared rate limiters for SAT services (sat/ratelimit.py): one row per limiter; `tat` is the
# GCRA "theoretical arrival time" in epoch seconds, moved by one atomic UPDATE per call.
sat_rate_limits = Table(
    "sat_rate_limits",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("tat", Float, nullable=False),
)

# Intake API (api/): per-portal API keys, stored as SHA-256 of a high-entropy secret (a key is
# 32 random bytes, so a fast hash is enough; the plain key is shown once, at creation).
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("portal", String(64), nullable=False),
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# The API's side of a folio it accepted (upload count, last flow run). Who may see it is
# folios.owner; `portal` here repeats it for the API's own bookkeeping. `folio_dir` is only set
# on folios accepted before uploads went to the blob store (migration 0005): the inbox
# directory their files were counted from once (api/store.py).
api_folios = Table(
    "api_folios",
    metadata,
    Column("folio", String(64), primary_key=True),
    Column("portal", String(64), nullable=False),
    Column("folio_dir", String(1024)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("uploads", Integer, nullable=False),
    Column("last_flow_run", String(64)),
)

# What the API has accepted into a folio, so its limits (PKG-004 files, PKG-005 bytes) hold when
# several uploads to one folio arrive at once, on one API replica or many (api/store.py). One
# counter row per folio: an upload locks it, checks and moves it, and registers its files in the
# same transaction, so two uploads can never both fit in the room that only one of them has.
api_upload_totals = Table(
    "api_upload_totals",
    metadata,
    Column("folio", String(64), primary_key=True),
    Column("files", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
)

# The folio's files as the API holds them now, one row per name: a file sent again under its
# name replaces the earlier one, so it counts once and with its new size.
api_upload_files = Table(
    "api_upload_files",
    metadata,
    Column("folio", String(64), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
)

# Idempotency-Key of a POST: the first request's body fingerprint and its answer, per portal.
api_idempotency = Table(
    "api_idempotency",
    metadata,
    Column("portal", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64)),
    Column("status_code", Integer),
    Column("response", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Pending-documents notices (notify/notices.py): one per decision routed to pending.
# status: pending (not sent yet, e.g. no SMTP host) | sent | failed (last_error says why).
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("folio", String(64), ForeignKey("folios.folio"), nullable=False),
    Column("decision_evaluated_at", DateTime(timezone=True), nullable=False),
    Column("recipient", String(254)),
    Column("subject", String(255), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("folio", "decision_evaluated_at", name="uq_notice_decision"),
    Index("ix_notices_status", "status"),
)

# What the read step found in a file, keyed by its bytes, the rule-set version and the reading
# context (storage/extraction_cache.py): accepted documents are not re-extracted on re-upload.
extraction_cache = Table(
    "extraction_cache",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("ruleset", String(32), primary_key=True),
    Column("reader", String(64), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("hits", Integer, nullable=False, default=0),
)

# Console accounts (storage/users.py, api/console/): a name, one role (operator | compliance |
# admin) and an argon2id hash. Disabling keeps the row (the audit trail names it) and ends its
# sessions; nothing is ever deleted.
users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)

# Console sessions, kept on the server: the cookie carries a random token, only its SHA-256 is
# stored, so logging out or disabling a user ends the session everywhere at once. `csrf` is the
# session's synchronizer token, required in every form the session posts.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Append-only audit trail (storage/audit.py): every console action and every view of a folio's
# personal data, and every login attempt (failed logins are also what the rate limit counts).
# Rows are only inserted; no code path updates or deletes them.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16)),
    Column("action", String(64), nullable=False),
    Column("folio", String(64)),
    Column("source", String(64)),  # the client's address
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_folio", "folio", "id"),
    Index("ix_audit_log_actor", "actor", "action", "at"),
)
