"""Half-finished uploads are removed once surely abandoned (issue 17 #1): an API or worker killed
mid-copy (SIGKILL runs no cleanup) leaves, in the blob store, the staged entry of each original it
was receiving or writing (local: an `.incoming-*` file; S3: an `incoming/` object or an
unfinished multipart upload, invisible in a listing but kept and billed), and, from versions
before uploads went to the blob store, a staging directory of the upload it was receiving. Nothing of them is
visible (a folio only ever sees what was renamed or copied into place), but nothing may stay
orphaned longer than `staging_max_age_s`: this sweep removes what is older. Younger entries are
left alone, since they may be uploads still in progress, on this machine or another."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from storage import BlobStore


@dataclass(frozen=True)
class StagingSwept:
    upload_dirs: int  # the API's staging directories removed
    blob_entries: int  # the blob store's temporary entries (and S3 multipart uploads) removed


def sweep_half_finished_uploads(blobs: BlobStore, staging_dir: Path | None, max_age_s: float) -> StagingSwept:
    """Remove the blob store's staged entries older than `max_age_s` seconds, and the entries of
    `staging_dir` (a directory per upload being received, where something still stages on disk;
    None: nothing does)."""
    return StagingSwept(
        upload_dirs=_sweep_dirs(staging_dir, max_age_s) if staging_dir else 0,
        blob_entries=blobs.sweep_staging(max_age_s),
    )


def _sweep_dirs(staging_dir: Path, max_age_s: float) -> int:
    """An upload's directory is as old as its newest write: a slow upload still receiving keeps
    touching it (each new file is created in it), so only one silent for max_age_s goes."""
    cutoff, removed = time.time() - max_age_s, 0
    try:
        entries = list(staging_dir.iterdir())
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            newest = max([entry.lstat().st_mtime, *(p.lstat().st_mtime for p in entry.rglob("*"))])
        except OSError:  # removed meanwhile (the upload finished or failed): nothing to do
            continue
        if newest < cutoff:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    return removed
