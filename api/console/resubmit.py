"""An operator's re-upload or re-run from the console: documents sent on the claimant's behalf
are streamed into the blob store, then the folio goes to the intake flow exactly as a portal's
upload sends it.

The files are registered under the folio's lock (api/store.py `add_files`, the same limits as
`POST /folios/{id}/files`, a same-named file replaced), their blobs committed inside it, and the
dispatcher gets a folio reference (id and upload number). A re-run registers an upload with no
files: a new upload number, so the flow run's idempotency key is new and the run starts. A folio
the command line created gets the API's rows the first time, counted from what storage recorded
of it; its next portal upload, if any, sees the files too. Nothing is written to this machine's
disk: the worker takes the folio in from storage (application.intake.take_in_accepted).

The console never reads, validates or decides anything itself. The decision is appended when
the run ends; the folio page shows it."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import InputError
from storage import BlobStore, BlobWriter

from ..store import AcceptedFile, OverLimit
from ..trigger import Job


class Staged:
    """Documents being received, each staged in the blob store (storage.BlobWriter) under its
    name; nothing is visible until `resubmit` commits them under the folio's lock."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self.files: list[tuple[str, BlobWriter]] = []

    def open(self, name: str) -> BlobWriter:
        writer = self.blobs.open_writer()
        self.files.append((name, writer))
        return writer

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.files]

    def commit(self) -> None:
        for _, writer in self.files:
            writer.commit()

    def discard(self) -> None:
        """What was not committed is removed (after a commit: nothing to do)."""
        for _, writer in self.files:
            try:
                writer.abort()
            except Exception:  # noqa: BLE001 - the store unreachable: its staging sweep removes it later
                continue


def resubmit(ctx: dict, folio: str, staged: Staged | None = None) -> int:
    """Hand `folio` with the `staged` documents (None: a re-run) to the intake flow; the upload
    number is returned. Raises InputError for an unknown folio or one the files would take past
    a limit (PKG-004/PKG-005)."""
    files: Sequence[AcceptedFile] = []
    if staged is not None:
        files = [AcceptedFile(name, writer.size, writer.seal()) for name, writer in staged.files]
    try:
        number = ctx["api"].add_files(folio, files, ctx["limits"], staged.commit if staged else lambda: None)
    except OverLimit as exc:
        raise InputError(f"{exc.code}: {exc.message}") from None
    ctx["dispatcher"].submit(Job(folio, number))
    return number


def staging(ctx: dict) -> Staged:
    return Staged(ctx["storage"].blobs)
