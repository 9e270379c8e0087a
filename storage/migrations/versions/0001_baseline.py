"""baseline: folios, files, decisions, queues, UUID index, SAT cache, API tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:19:24.946719
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_folios',
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('portal', sa.String(length=64), nullable=False),
    sa.Column('folio_dir', sa.String(length=1024), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploads', sa.Integer(), nullable=False),
    sa.Column('last_flow_run', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('folio')
    )
    op.create_table('api_idempotency',
    sa.Column('portal', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('portal', 'key')
    )
    op.create_table('api_keys',
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('portal', sa.String(length=64), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_id')
    )
    op.create_table('extraction_cache',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('ruleset', sa.String(length=32), nullable=False),
    sa.Column('reader', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'ruleset', 'reader')
    )
    op.create_table('folios',
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('claim_type', sa.String(length=32), nullable=False),
    sa.Column('portal', sa.String(length=64), nullable=True),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('folio')
    )
    op.create_table('sat_rate_limits',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('tat', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('sat_status_cache',
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('estado', sa.String(length=32), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('uuid')
    )
    op.create_table('cfdi_uuids',
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('file', sa.String(length=512), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['folio'], ['folios.folio'], ),
    sa.UniqueConstraint('uuid', 'folio', name='uq_uuid_folio')
    )
    with op.batch_alter_table('cfdi_uuids', schema=None) as batch_op:
        batch_op.create_index('ix_cfdi_uuids_uuid', ['uuid'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('route', sa.String(length=32), nullable=False),
    sa.Column('ruleset', sa.String(length=32), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('complete_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['folio'], ['folios.folio'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_folio', ['folio', 'id'], unique=False)

    op.create_table('folio_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['folio'], ['folios.folio'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('folio', 'name', 'sha256', name='uq_folio_file_version')
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('decision_evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['folio'], ['folios.folio'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('folio', 'decision_evaluated_at', name='uq_notice_decision')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_status', ['status'], unique=False)

    op.create_table('queue_entries',
    sa.Column('folio', sa.String(length=64), nullable=False),
    sa.Column('queue', sa.String(length=32), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ),
    sa.ForeignKeyConstraint(['folio'], ['folios.folio'], ),
    sa.PrimaryKeyConstraint('folio')
    )
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.create_index('ix_queue_entries_queue', ['queue', 'entered_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_entries_queue')

    op.drop_table('queue_entries')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_status')

    op.drop_table('notices')
    op.drop_table('folio_files')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_folio')

    op.drop_table('decisions')
    with op.batch_alter_table('cfdi_uuids', schema=None) as batch_op:
        batch_op.drop_index('ix_cfdi_uuids_uuid')

    op.drop_table('cfdi_uuids')
    op.drop_table('sat_status_cache')
    op.drop_table('sat_rate_limits')
    op.drop_table('folios')
    op.drop_table('extraction_cache')
    op.drop_table('api_keys')
    op.drop_table('api_idempotency')
    op.drop_table('api_folios')
