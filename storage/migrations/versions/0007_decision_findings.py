"""decision_findings: one row per finding of each recorded decision, for the console's findings
view at scale (issue 16 #5)

The table is created unless create_all already made it (the embedded default, or a process of
the new code that opened the database before this upgrade), then filled from the bodies of the
decisions that have no rows yet, in batches of decisions by id (a batch's bodies in memory, never
the whole history). A decision whose rows a running process wrote meanwhile is skipped by the
primary key (ON CONFLICT DO NOTHING), so the upgrade can run while the API records decisions.
The rows hold what the period report shows: the folio's claim type and portal ("-" for none),
the finding's file and kind ("" for a folio finding), its code, outcome and message.

The row builder is repeated here rather than imported: a migration describes the bodies as they
were when it was written, and must keep doing so when the application's code moves on.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BATCH = 500

decisions = sa.table(
    "decisions",
    sa.column("id", sa.Integer),
    sa.column("folio", sa.String),
    sa.column("route", sa.String),
    sa.column("ruleset", sa.String),
    sa.column("evaluated_at", sa.DateTime(timezone=True)),
    sa.column("body", sa.JSON),
)
folios = sa.table("folios", sa.column("folio", sa.String), sa.column("claim_type", sa.String), sa.column("portal", sa.String))
findings = sa.table(
    "decision_findings",
    *(sa.column(name) for name in ("decision_id", "position", "folio", "claim_type", "portal", "route", "ruleset",
                                   "file", "kind", "code", "outcome", "message_es")),
    sa.column("evaluated_at", sa.DateTime(timezone=True)),
)


def _create() -> None:
    op.create_table(
        "decision_findings",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("folio", sa.String(length=64), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_type", sa.String(length=32), nullable=False),
        sa.Column("portal", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("ruleset", sa.String(length=32), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("message_es", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.ForeignKeyConstraint(["folio"], ["folios.folio"]),
        sa.PrimaryKeyConstraint("decision_id", "position"),
    )
    op.create_index("ix_decision_findings_at", "decision_findings", ["evaluated_at", "folio"])
    op.create_index("ix_decision_findings_code", "decision_findings", ["code", "evaluated_at", "folio"])
    op.create_index("ix_decision_findings_folio", "decision_findings", ["folio"])


def _rows(d) -> list[dict]:
    body = d.body or {}
    base = {
        "decision_id": d.id, "folio": d.folio, "evaluated_at": d.evaluated_at, "claim_type": d.claim_type,
        "portal": d.portal or "-", "route": d.route, "ruleset": d.ruleset,
    }
    found = [("", "", f) for f in body.get("folio_findings", [])]
    for doc in body.get("documents", []):
        found += [(doc["file"], doc["kind"], f) for f in doc.get("findings", [])]
    return [
        {**base, "position": n, "file": file, "kind": kind, "code": f["code"], "outcome": f["outcome"],
         "message_es": f["message_es"]}
        for n, (file, kind, f) in enumerate(found)
    ]


def backfill(conn) -> int:
    """Rows for every decision (of a folio that has a row) that has none yet; the rows offered."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
    unfilled = ~sa.exists().where(findings.c.decision_id == decisions.c.id)
    query = (
        sa.select(decisions.c.id, decisions.c.folio, decisions.c.route, decisions.c.ruleset,
                  decisions.c.evaluated_at, decisions.c.body, folios.c.claim_type, folios.c.portal)
        .join(folios, folios.c.folio == decisions.c.folio)
        .where(unfilled)
        .order_by(decisions.c.id)
        .limit(BATCH)
    )
    last, added = 0, 0
    while True:
        batch = conn.execute(query.where(decisions.c.id > last)).all()
        if not batch:
            return added
        rows = [row for d in batch for row in _rows(d)]
        if rows:
            conn.execute(dialect.insert(findings).on_conflict_do_nothing(), rows)
            added += len(rows)
        last = batch[-1].id


def upgrade() -> None:
    if "decision_findings" not in set(sa.inspect(op.get_bind()).get_table_names()):
        _create()
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_decision_findings_folio", table_name="decision_findings")
    op.drop_index("ix_decision_findings_code", table_name="decision_findings")
    op.drop_index("ix_decision_findings_at", table_name="decision_findings")
    op.drop_table("decision_findings")
