"""api_folios.folio_dir nullable: no inbox directory for an API folio (issue 17 #1)

The intake API streams uploads into the blob store and registers them (api_upload_files); the
worker takes the folio in from storage by its id, so a folio accepted from now on has no inbox
directory and its row none. Older rows keep the path they had (a folio accepted before the
counters, migration 0003, is counted from it once). On SQLite a column's nullability can only
change by rebuilding the table: batch mode does that (api_folios is referenced by nothing).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _nullable() -> bool:
    columns = {c["name"]: c for c in sa.inspect(op.get_bind()).get_columns("api_folios")}
    return bool(columns["folio_dir"]["nullable"])


def upgrade() -> None:
    if _nullable():  # create_all already built it so (the embedded default, stamped at the baseline)
        return
    with op.batch_alter_table("api_folios") as batch:
        batch.alter_column("folio_dir", existing_type=sa.String(length=1024), nullable=True)


def downgrade() -> None:
    op.execute(sa.text("UPDATE api_folios SET folio_dir = '' WHERE folio_dir IS NULL"))
    with op.batch_alter_table("api_folios") as batch:
        batch.alter_column("folio_dir", existing_type=sa.String(length=1024), nullable=False)
