"""Receive a multipart upload as it streams, enforcing the folio limits on the way in.

Starlette's own form parsing spools the whole body before the handler runs, so a 2 GB upload
would be on disk before anyone could refuse it. Here python-multipart's push parser gets the
body chunk by chunk: each part is written to a staging directory, and the moment a 51st file
or the 50 MiB total is crossed the upload stops with `UploadRefused(413)`. The caller deletes
the staging directory on any failure and renames it into place only on success, so nothing
half-written is ever visible in the inbox."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from io import BufferedWriter
from pathlib import Path

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import InputError

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


@dataclass
class StagedUpload:
    directory: Path
    manifest: bytes | None = None
    files: list[StagedFile] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


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
        staging: Path,
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
        self.result = StagedUpload(directory=staging)
        self.max_files, self.max_bytes = max_files, max_bytes
        self.count, self.total = existing_files, existing_bytes
        self.replaceable = dict(replaceable or {})  # name -> size of files a same-named part replaces
        self.manifest_allowed = manifest_allowed
        self._headers: dict[str, str] = {}
        self._field = self._value = b""
        self._target: BufferedWriter | bytearray | None = None  # open file, or a bytearray for the manifest
        self._current: StagedFile | None = None
        self._file_hash: hashlib._Hash | None = None
        staging.mkdir(parents=True)
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
            self._target = bytearray()
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
        self._current = StagedFile(name=name, size=0, sha256="")
        self._file_hash = hashlib.sha256()
        self._target = open(self.result.directory / name, "xb")  # noqa: SIM115 - open across the parser's callbacks, closed when the part ends

    def _data(self, data, start, end) -> None:
        chunk = data[start:end]
        if isinstance(self._target, bytearray):
            self._target += chunk
            if len(self._target) > MAX_MANIFEST_BYTES:
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
        current, file_hash, target = self._open_file()
        current.size += len(chunk)
        file_hash.update(chunk)
        target.write(chunk)

    def _part_end(self) -> None:
        if isinstance(self._target, bytearray):
            self.result.manifest = bytes(self._target)
        elif self._target is not None:
            current, file_hash, target = self._open_file()
            target.close()
            current.sha256 = file_hash.hexdigest()
            self.result.files.append(current)
        self._target = None

    def _open_file(self) -> tuple[StagedFile, hashlib._Hash, BufferedWriter]:
        """The file part being received; _headers_finished opened it (data outside a part is
        malformed multipart, which the parser refuses before calling back)."""
        if self._current is None or self._file_hash is None or not isinstance(self._target, BufferedWriter):
            raise UploadRefused(400, "BAD_MULTIPART", "part data outside a file part")
        return self._current, self._file_hash, self._target

    # feeding ---------------------------------------------------------------------------
    def write(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except FormParserError as exc:
            raise UploadRefused(400, "BAD_MULTIPART", f"the multipart body is malformed: {exc}") from None

    def close(self) -> None:
        if self._target is not None and not isinstance(self._target, bytearray):
            self._target.close()

    def finish(self) -> StagedUpload:
        try:
            self.parser.finalize()
        except FormParserError as exc:
            raise UploadRefused(400, "BAD_MULTIPART", f"the multipart body is malformed: {exc}") from None
        if self._target is not None:
            self.close()
            raise UploadRefused(400, "TRUNCATED", "the multipart body ended inside a part")
        # What was sent, not how it was framed: a retry with a new multipart boundary matches.
        fp = hashlib.sha256(self.result.manifest or b"")
        for f in sorted(self.result.files, key=lambda f: f.name):
            fp.update(f"\n{f.name}\0{f.sha256}".encode())
        self.result.fingerprint = fp.hexdigest()
        return self.result
