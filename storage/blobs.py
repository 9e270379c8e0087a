"""Originals, content-addressed by SHA-256: a file is written once, never changed, and read back
only if its bytes still hash to its name."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from domain.errors import StorageError

CHUNK = 1 << 20  # streamed copies hold one MiB at a time


class BlobCorrupted(StorageError):
    """Stored bytes no longer match their SHA-256."""


class ReportMissing(StorageError):
    """The blob store holds no such report file of the folio (not rendered or not uploaded yet)."""


def check_report_name(folio: str, name: str) -> None:
    """A folio id and a file name, never a path: both stores build a location from them."""
    if "/" in folio or "/" in name or "\\" in folio + name or name in ("", ".", "..") or folio in ("", ".", ".."):
        raise ValueError(f"bad report name {folio!r}/{name!r}")


class ByteStream(Protocol):
    """What a blob store reads a stream through: a file, or a pass-through that watches it."""

    def read(self, size: int = -1, /) -> bytes: ...


class BlobWriter(Protocol):
    """A push-style write of one original (the API's multipart parser hands it chunks from its
    callbacks): `write` each chunk, `seal` once the bytes are all there (the SHA-256 is then
    known, the bytes staged, nothing visible yet), `commit` to make the blob visible under its
    content address, or `abort` to remove what was staged. Staged bytes that neither commit nor
    abort reaches (a killed process) are what `BlobStore.sweep_staging` removes."""

    size: int

    def write(self, chunk: bytes) -> None: ...
    def seal(self) -> str: ...
    def commit(self) -> str: ...
    def abort(self) -> None: ...


class BlobStore(Protocol):
    """The port every blob store implements (LocalBlobStore, storage.s3.S3BlobStore): originals
    by SHA-256, and the report and notice files of a folio beside them."""

    def put(self, data: bytes) -> str: ...
    def put_stream(self, stream: ByteStream) -> str: ...
    def open_writer(self) -> BlobWriter:
        """A staged write that becomes a blob only on `commit()` (BlobWriter)."""
        ...

    def get(self, sha256: str) -> bytes: ...
    def head(self, sha256: str, size: int) -> bytes:
        """The first `size` bytes of a blob (to sniff its type) without fetching the rest."""
        ...

    def copy_to(self, sha256: str, target: Path) -> None: ...
    def exists(self, sha256: str) -> bool: ...
    def put_report(
        self, folio: str, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> str | None:
        """Keep a report or notice file of `folio`; where it now lives, or None when the store
        keeps no copy of its own."""
        ...

    def get_report(self, folio: str, name: str) -> bytes:
        """A report or notice file of `folio` as kept by `put_report` (the local store: as
        written under the home); ReportMissing when there is none."""
        ...

    def sweep_staging(self, older_than_s: float) -> int:
        """Remove what streamed writes left half-finished (their process killed mid-copy) and is
        older than `older_than_s` seconds, surely abandoned; a younger one may be in progress.
        How many entries were removed."""
        ...


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalBlobStore(BlobStore):
    """The embedded default: one file per blob under `root/ab/cd/<sha256>`, written to a
    temporary file, fsynced and renamed, so a crash never leaves a half-written original."""

    STALE_INCOMING_S = 3600  # no streamed copy takes an hour; one that old was killed mid-way

    def __init__(self, root: Path, reports_dir: Path | None = None):
        self.root = Path(root)
        self.reports_dir = Path(reports_dir) if reports_dir is not None else None  # where reports are written
        self.root.mkdir(parents=True, exist_ok=True)
        # Cheap enough for every store opened: the root only, where put_stream writes (no walk
        # of every blob's directory; sweep_staging, run by the API, walks them).
        _remove_older(self.root.glob(".incoming-*"), self.STALE_INCOMING_S)

    def sweep_staging(self, older_than_s: float) -> int:
        """A process killed while writing an original (SIGKILL runs no cleanup) leaves its
        `.incoming-*` at the root (put_stream) or beside the blob (put): removed once older than
        `older_than_s`. Walks the whole store: for the periodic sweep, not for every open."""
        return _remove_older(self.root.rglob(".incoming-*"), older_than_s)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = sha256_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def put_stream(self, stream: ByteStream) -> str:
        """Store what `stream` yields, hashing while copying one chunk at a time: a file far
        over the folio limit is kept as sent without ever being held in memory. The name is
        only known at the end, so the temporary file sits at the root until it is renamed."""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as handle:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            path = self._path(digest.hexdigest())
            if path.exists():
                Path(tmp).unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest.hexdigest()

    def open_writer(self) -> BlobWriter:
        return _LocalWriter(self)

    def get(self, sha256: str) -> bytes:
        data = self._path(sha256).read_bytes()
        if sha256_of(data) != sha256:
            raise BlobCorrupted(f"blob {sha256} does not match its hash")
        return data

    def copy_to(self, sha256: str, target: Path) -> None:
        """The blob written to `target` one chunk at a time (a large original is never held),
        its hash checked on the way; a blob that no longer matches leaves no `target`."""
        digest = hashlib.sha256()
        with self._path(sha256).open("rb") as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            Path(target).unlink(missing_ok=True)
            raise BlobCorrupted(f"blob {sha256} does not match its hash")

    def head(self, sha256: str, size: int) -> bytes:
        with self._path(sha256).open("rb") as handle:
            return handle.read(size)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def _place(self, tmp: Path, digest: str) -> None:
        """A sealed temporary file into its content address (or dropped: the blob is there)."""
        path = self._path(digest)
        if path.exists():
            tmp.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, path)

    def put_report(
        self, folio: str, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> str | None:
        """A no-op: with the local store the reports already live under the same home
        (CLAIM_INTAKE_HOME/reports/<folio>/, where they are written), on the same disk as the
        originals; a second copy under originals/ would only duplicate them."""
        return None

    def get_report(self, folio: str, name: str) -> bytes:
        """Read from the reports directory the files were written to (CLAIM_INTAKE_HOME/reports)."""
        check_report_name(folio, name)
        if self.reports_dir is None:
            raise ReportMissing(f"no reports directory for {folio}/{name}")
        try:
            return (self.reports_dir / folio / name).read_bytes()
        except FileNotFoundError:
            raise ReportMissing(f"no report {folio}/{name}") from None


class StagedWriter:
    """The state machine both stores' writers share: bytes are hashed and counted as written,
    `seal` ends the writing and fixes the SHA-256 (nothing visible yet), `commit` makes the blob
    visible under its content address once, `abort` discards what was staged; both are safe to
    call again. A store says how to stage (`_append`, `_finish`), place (`_place`) and discard
    (`_discard`)."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()
        self._digest: str | None = None
        self._done = False

    def write(self, chunk: bytes) -> None:
        if self._digest is not None:
            raise ValueError("write after seal")
        self._hash.update(chunk)
        self._append(chunk)
        self.size += len(chunk)

    def seal(self) -> str:
        if self._digest is None:
            self._finish()
            self._digest = self._hash.hexdigest()
        return self._digest

    def commit(self) -> str:
        digest = self.seal()
        if not self._done:
            self._place(digest)
            self._done = True
        return digest

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._discard()

    def _append(self, chunk: bytes) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError

    def _place(self, digest: str) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


class _LocalWriter(StagedWriter):
    """Staged as `.incoming-*` at the store's root (where the sweep and every open look), hashed
    while written, fsynced when sealed, renamed into its content address on commit."""

    def __init__(self, store: LocalBlobStore) -> None:
        super().__init__()
        self.store = store
        fd, tmp = tempfile.mkstemp(dir=store.root, prefix=".incoming-")
        self._tmp, self._handle = Path(tmp), os.fdopen(fd, "wb")

    def _append(self, chunk: bytes) -> None:
        self._handle.write(chunk)

    def _finish(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()

    def _place(self, digest: str) -> None:
        self.store._place(self._tmp, digest)

    def _discard(self) -> None:
        self._handle.close()
        self._tmp.unlink(missing_ok=True)


def _remove_older(paths: Iterable[Path], older_than_s: float) -> int:
    cutoff, removed = time.time() - older_than_s, 0
    for tmp in paths:
        try:
            if tmp.lstat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
        except OSError:  # gone meanwhile: its writer finished
            continue
    return removed
