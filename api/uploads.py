"""Receive a multipart upload as it streams, enforcing the folio limits on the way in.

Starlette's own form parsing spools the whole body before the handler runs, so a 2 GB upload
would be on disk before anyone could refuse it. Here python-multipart's push parser gets the
body chunk by chunk: each file part is streamed straight into the blob store through a staged
writer (BlobWriter: hashed on the way, staged under a temporary name or key), and the moment a
51st file or the 50 MiB total is crossed the upload stops with `UploadRefused(413)`. The caller
aborts every writer on any failure and commits them (each blob then visible under its SHA-256)
only when the upload was accepted, so nothing half-written is ever visible, and no machine's
disk but the blob store's holds the upload."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import InputError
from storage import BlobStore, BlobWriter

MANIFEST_FIELD, FILES_FIELD = "manifest", "files"
MAX_MANIFEST_BYTES = 1_000_000
_BAD_NAME = re.compile(r"[/\\\x00-\x1f]")


class UploadRefused(InputError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class StagedFile:
    name: str
    size: int
    sha256: str
    writer: BlobWriter = field(repr=False, compare=False)

    def public(self) -> dict:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass
class StagedUpload:
    """What was received, staged in the blob store: `commit()` makes every file a blob (under
    the folio's lock, once the upload is accepted), `abort()` removes what was staged."""

    manifest: bytes | None = None
    files: list[StagedFile] = field(default_factory=list)
    fingerprint: str = ""
    open_writer: BlobWriter | None = field(default=None, repr=False)  # the part being received

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def commit(self) -> None:
        for f in self.files:
            f.writer.commit()

    def abort(self) -> None:
        """Best effort, every writer tried: the sweep removes what an unreachable store kept."""
        writers = [f.writer for f in self.files] + ([self.open_writer] if self.open_writer else [])
        self.open_writer = None
        for writer in writers:
            try:
                writer.abort()
            except Exception:  # noqa: BLE001 - the store unreachable: its staging sweep removes it later
                continue


def _disposition(value: str) -> tuple[str | None, str | None]:
    _, params = parse_options_header(value)
    name, filename = params.get(b"name"), params.get(b"filename")
    try:
        return (name.decode() if name is not None else None, filename.decode() if filename is not None else None)
    except UnicodeDecodeError:
        raise UploadRefused(422, "BAD_FILE_NAME", "a part's name or file name is not UTF-8") from None


def check_file_name(name: str) -> str:
    if not name or name in (".", "..") or _BAD_NAME.search(name) or len(name.encode()) > 255:
        raise UploadRefused(
            422,
            "BAD_FILE_NAME",
            f"file name {name!r} is not usable: no paths, control characters or empty names, at most 255 bytes",
        )
    if name == "folio.json":
        raise UploadRefused(422, "BAD_FILE_NAME", "folio.json goes in the 'manifest' part, not in 'files'")
    return name


class StreamingUpload:
    """Feed with `write(chunk)`, then `finish()`. Limits count files already in the folio; a part
    named like one of them (`replaceable`) replaces it rather than adding one. This only stops
    early an upload that cannot fit: api/store.py decides under the folio's lock."""

    def __init__(
        self,
        content_type: str,
        blobs: BlobStore,
        *,
        max_files: int,
        max_bytes: int,
        existing_files: int = 0,
        existing_bytes: int = 0,
        replaceable: dict[str, int] | None = None,
        manifest_allowed: bool = True,
    ):
        ctype, params = parse_options_header(content_type or "")
        if ctype != b"multipart/form-data" or not params.get(b"boundary"):
            raise UploadRefused(
                415, "NOT_MULTIPART", "send multipart/form-data with a 'manifest' part (folio.json) and 'files' parts"
            )
        self.blobs = blobs
        self.result = StagedUpload()
        self.max_files, self.max_bytes = max_files, max_bytes
        self.count, self.total = existing_files, existing_bytes
        self.replaceable = dict(replaceable or {})  # name -> size of files a same-named part replaces
        self.manifest_allowed = manifest_allowed
        self._headers: dict[str, str] = {}
        self._field = self._value = b""
        self._manifest: bytearray | None = None  # the manifest part being received
        self._current: StagedFile | None = None  # the file part being received
        self.parser = MultipartParser(
            params[b"boundary"],
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._part_end,
            },
            max_header_size=8192,
        )

    # python-multipart callbacks ---------------------------------------------------------
    def _part_begin(self) -> None:
        self._headers, self._field, self._value = {}, b"", b""

    def _header_field(self, data, start, end) -> None:
        self._field += data[start:end]

    def _header_value(self, data, start, end) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        name, filename = _disposition(self._headers.get("content-disposition", ""))
        if name == MANIFEST_FIELD:
            if not self.manifest_allowed:
                raise UploadRefused(422, "UNEXPECTED_MANIFEST", "folio.json cannot be replaced here; send only 'files'")
            if self.result.manifest is not None:
                raise UploadRefused(422, "TWO_MANIFESTS", "more than one 'manifest' part")
            self._manifest = bytearray()
            return
        if name != FILES_FIELD:
            raise UploadRefused(422, "UNKNOWN_PART", f"unknown form field {name!r}: only 'manifest' and 'files'")
        name = check_file_name(filename or "")
        if any(f.name == name for f in self.result.files):
            raise UploadRefused(422, "DUPLICATE_NAME", f"file {name!r} sent twice in one upload")
        if name in self.replaceable:  # replaces a file of the folio: no new file, its old size goes
            self.total -= self.replaceable.pop(name)
        else:
            self.count += 1
        if self.count > self.max_files:
            raise UploadRefused(
                413,
                "PKG-004",
                f"too many files: file {name!r} would be number {self.count}; "
                f"a folio holds at most {self.max_files} (folio.json not counted)",
            )
        writer = self.blobs.open_writer()
        self.result.open_writer = writer
        self._current = StagedFile(name=name, size=0, sha256="", writer=writer)

    def _data(self, data, start, end) -> None:
        chunk = data[start:end]
        if self._manifest is not None:
            self._manifest += chunk
            if len(self._manifest) > MAX_MANIFEST_BYTES:
                raise UploadRefused(413, "MANIFEST_TOO_LARGE", f"folio.json is over {MAX_MANIFEST_BYTES} bytes")
            return
        self.total += len(chunk)
        if self.total > self.max_bytes:
            raise UploadRefused(
                413,
                "PKG-005",
                f"too large: the folio's files pass {self.max_bytes} bytes "
                f"while receiving {self._current.name if self._current else ''!r}; the limit is {self.max_bytes} bytes (50 MiB)",
            )
        current = self._open_file()
        current.size += len(chunk)
        current.writer.write(chunk)

    def _part_end(self) -> None:
        if self._manifest is not None:
            self.result.manifest = bytes(self._manifest)
        elif self._current is not None:
            current = self._current
            current.sha256 = current.writer.seal()  # staged whole, not visible yet
            self.result.files.append(current)
            self.result.open_writer = None
        self._manifest, self._current = None, None

    def _open_file(self) -> StagedFile:
        """The file part being received; _headers_finished opened its writer (data outside a
        part is malformed multipart, which the parser refuses before calling back)."""
        if self._current is None:
            raise UploadRefused(400, "BAD_MULTIPART", "part data outside a file part")
        return self._current

    # feeding ---------------------------------------------------------------------------
    def write(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except FormParserError as exc:
            raise UploadRefused(400, "BAD_MULTIPART", f"the multipart body is malformed: {exc}") from None

    def abort(self) -> None:
        """Remove everything staged: a refused, failed or abandoned upload leaves nothing."""
        self.result.abort()

    def finish(self) -> StagedUpload:
        try:
            self.parser.finalize()
        except FormParserError as exc:
            raise UploadRefused(400, "BAD_MULTIPART", f"the multipart body is malformed: {exc}") from None
        if self._manifest is not None or self._current is not None:
            raise UploadRefused(400, "TRUNCATED", "the multipart body ended inside a part")
        # What was sent, not how it was framed: a retry with a new multipart boundary matches.
        fp = hashlib.sha256(self.result.manifest or b"")
        for f in sorted(self.result.files, key=lambda f: f.name):
            fp.update(f"\n{f.name}\0{f.sha256}".encode())
        self.result.fingerprint = fp.hexdigest()
        return self.result
