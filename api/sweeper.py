"""The API's housekeeping thread: half-finished uploads (application/staging.py: what uploads
staged in the blob store and never committed or aborted) are swept when the API starts, which
removes what a killed predecessor left, and then at intervals of half the configured age, so
nothing stays orphaned much longer than `staging_max_age_s`."""

from __future__ import annotations

import logging
import threading

from application.staging import sweep_half_finished_uploads
from storage import BlobStore

log = logging.getLogger("claim_intake.api")

MAX_INTERVAL_S = 600.0


class StagingSweeper:
    def __init__(self, blobs: BlobStore, max_age_s: float):
        self.blobs, self.max_age_s = blobs, max_age_s
        self.interval_s = min(max_age_s / 2, MAX_INTERVAL_S)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="staging-sweeper", daemon=True)

    def start(self) -> StagingSweeper:
        self.sweep()  # at start-up, before the first upload is taken
        self._thread.start()
        return self

    def sweep(self) -> None:
        try:
            swept = sweep_half_finished_uploads(self.blobs, None, self.max_age_s)
        except Exception:  # the store unreachable for now: the next round tries again
            log.exception("sweeping half-finished uploads failed")
            return
        if swept.upload_dirs or swept.blob_entries:
            log.info(
                "removed half-finished uploads older than %.0f s: %d staging directories, %d blob store entries",
                self.max_age_s,
                swept.upload_dirs,
                swept.blob_entries,
            )

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sweep()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(30)
