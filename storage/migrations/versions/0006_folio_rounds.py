"""folio_rounds: each folio's accepted and decided rounds of evaluation (issue 17 #3)

A decision is recorded once per round, so a run repeated after its worker died never appends a
second one; accepted > decided for too long is what the recovery flow re-runs. Folios from
before this revision have no row: their next accepted upload opens one. A database that
create_all built with the table already (the embedded default) is left as it is.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "folio_rounds" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "folio_rounds",
        sa.Column("folio", sa.String(length=64), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flow_run", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["folio"], ["folios.folio"]),
        sa.PrimaryKeyConstraint("folio"),
    )
    op.create_index("ix_folio_rounds_open", "folio_rounds", ["accepted_at"])


def downgrade() -> None:
    op.drop_index("ix_folio_rounds_open", table_name="folio_rounds")
    op.drop_table("folio_rounds")
