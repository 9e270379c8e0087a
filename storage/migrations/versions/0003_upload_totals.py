"""api_upload_totals and api_upload_files: folio limits enforced in the database (issue 17 #2)

Two concurrent uploads to one folio could together pass PKG-004/PKG-005: each was checked
against what the folio held when it began. An upload now locks its folio's counter row and
checks, moves and registers its files in that transaction. Folios from before this revision
have no rows yet; the API fills them from the folio's directory the first time it adds files to
one (api/store.py), since the migration may run on a machine that cannot see that directory.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if 'api_upload_totals' not in tables:
        op.create_table('api_upload_totals',
        sa.Column('folio', sa.String(length=64), nullable=False),
        sa.Column('files', sa.Integer(), nullable=False),
        sa.Column('bytes', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('folio')
        )
    if 'api_upload_files' not in tables:
        op.create_table('api_upload_files',
        sa.Column('folio', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=512), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('folio', 'name')
        )


def downgrade() -> None:
    op.drop_table('api_upload_files')
    op.drop_table('api_upload_totals')
