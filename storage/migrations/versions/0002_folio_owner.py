"""folios.owner: who created a folio and alone may see or change it (issue 13 #7)

Existing folios get an owner from what is known: the portal that uploaded the folio through the
API when its api_folios row is at least as old as the folio (an upload is accepted before the
flow first records the folio), otherwise the command line's operator. A folio that the command
line decided first and a portal "created" again later stays the operator's: that second create
was the leak this revision closes, and it must not hand the folio to that portal.

The column is added with a server default instead of recreating the table: on SQLite a table
rebuild of `folios` (which other tables reference, with foreign keys on) is what batch mode
would do, and it is not needed for one new NOT NULL column with a default. A database that
create_all already built with the column (the embedded default, stamped at the baseline by
storage.migrations.upgrade) is left as it is.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OPERATOR = "@operator"


def _has_owner() -> bool:
    return "owner" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("folios")}


def upgrade() -> None:
    if _has_owner():
        return
    op.add_column("folios", sa.Column("owner", sa.String(length=64), nullable=False, server_default=OPERATOR))
    op.execute(sa.text(
        "UPDATE folios SET owner = COALESCE((SELECT a.portal FROM api_folios a WHERE a.folio = folios.folio "
        "AND a.created_at <= folios.created_at), :operator)").bindparams(operator=OPERATOR))


def downgrade() -> None:
    with op.batch_alter_table("folios", schema=None) as batch_op:
        batch_op.drop_column("owner")
