"""Where bytes, folio state, decision history and queues live.

`open_storage(settings)` gives the embedded default (files + SQLite under CLAIM_INTAKE_HOME) or,
with a database URL, PostgreSQL for state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claim_intake.config import Settings

from .blobs import BlobCorrupted, BlobStore, LocalBlobStore, sha256_of
from .state import QUEUES, StateStore

__all__ = ["BlobCorrupted", "BlobStore", "LocalBlobStore", "QUEUES", "StateStore", "Storage", "open_storage", "sha256_of"]


@dataclass
class Storage:
    blobs: BlobStore
    state: StateStore
    reports_dir: Path


def open_storage(settings: Settings) -> Storage:
    home = Path(settings.home)
    home.mkdir(parents=True, exist_ok=True)
    reports = home / "reports"
    reports.mkdir(exist_ok=True)
    return Storage(
        blobs=LocalBlobStore(home / "originals"),
        state=StateStore.from_url(settings.db_url),
        reports_dir=reports,
    )
