"""The console's accounts, sessions and append-only audit trail (issue 16)

A database that create_all built with these tables already (the embedded default) is left as
it is: each table is created only when absent.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    present = _tables()
    if "users" not in present:
        op.create_table(
            "users",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("name"),
        )
    if "console_sessions" not in present:
        op.create_table(
            "console_sessions",
            sa.Column("token_sha256", sa.String(length=64), nullable=False),
            sa.Column("user_name", sa.String(length=64), nullable=False),
            sa.Column("csrf", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["user_name"], ["users.name"]),
            sa.PrimaryKeyConstraint("token_sha256"),
        )
    if "audit_log" not in present:
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=True),
            sa.Column("action", sa.String(length=64), nullable=False),
            sa.Column("folio", sa.String(length=64), nullable=True),
            sa.Column("source", sa.String(length=64), nullable=True),
            sa.Column("detail", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_audit_log_folio", "audit_log", ["folio", "id"])
        op.create_index("ix_audit_log_actor", "audit_log", ["actor", "action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_folio", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("console_sessions")
    op.drop_table("users")
