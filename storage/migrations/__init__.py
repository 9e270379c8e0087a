"""Schema migrations (Alembic) of the state database, SQLite or PostgreSQL.

`upgrade(url)` brings a database to the newest revision. A database that the embedded default
already created with `metadata.create_all` (no `alembic_version` table yet, but the baseline
tables present) is stamped at the baseline first, so existing installations adopt migrations
without being rebuilt. `schema_drift(engine)` lists differences between a live database and
storage.schema: empty means the migrations and the code agree (a test checks it)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.engine import make_engine
from storage.schema import metadata

BASELINE = "0001"
_HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if "alembic_version" not in tables and "folios" in tables:
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def schema_drift(engine: Engine) -> list:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    return [
        d for d in diffs if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "alembic_version")
    ]
