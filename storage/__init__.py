"""Where bytes, folio state, decision history and queues live.

`open_storage(settings)` gives the embedded default (files + SQLite under CLAIM_INTAKE_HOME) or,
with a database URL, PostgreSQL for state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.config import Settings, StorageSettings

from .accepted import AcceptedFile, AcceptedUpload, read_accepted
from .blobs import BlobCorrupted, BlobStore, BlobWriter, LocalBlobStore, ReportMissing, sha256_of
from .s3 import S3BlobStore
from .state import QUEUES, StateStore

__all__ = [
    "AcceptedFile",
    "AcceptedUpload",
    "BlobCorrupted",
    "BlobStore",
    "BlobWriter",
    "LocalBlobStore",
    "QUEUES",
    "ReportMissing",
    "StateStore",
    "Storage",
    "open_storage",
    "read_accepted",
    "sha256_of",
]


@dataclass
class Storage:
    blobs: BlobStore
    state: StateStore
    reports_dir: Path


def open_storage(settings: Settings) -> Storage:
    where = settings.storage
    home = Path(where.home)
    home.mkdir(parents=True, exist_ok=True)
    reports = home / "reports"
    reports.mkdir(exist_ok=True)
    return Storage(
        blobs=_blob_store(where, home, reports),
        state=StateStore.from_url(where.db_url),
        reports_dir=reports,
    )


def _blob_store(where: StorageSettings, home: Path, reports: Path) -> BlobStore:
    """Local files under home (the default) or S3 when CLAIM_INTAKE_BLOB_URL is `s3://…`."""
    if url := where.blob_url:
        return S3BlobStore.from_url(
            url,
            endpoint_url=where.s3_endpoint_url,
            region=where.s3_region,
            sse=where.s3_sse,
            kms_key_id=where.s3_kms_key_id,
        )
    return LocalBlobStore(home / "originals", reports)
