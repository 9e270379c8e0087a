"""Storing a folio's originals before anything parses them, and rebuilding a stored folio from
storage alone (the awaiting_sat sweep has no upload directory; a worker taking in what the
intake API accepted has none either)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from pydantic import ValidationError

from domain.folio import FolioManifest, parse_manifest
from extractors import sniff_media_type
from storage import AcceptedUpload, BlobCorrupted, BlobStore, Storage
from validators.packaging import FileFacts

from .folio_dir import IncomingFile, InputError, open_regular


class _Originals(dict[str, bytes]):
    """name -> bytes of a stored folio; a file streamed to the blob store is fetched from there
    only when something reads it (a folio over a limit is never read)."""

    def __init__(self, data: dict[str, bytes], digests: dict[str, str], blobs: BlobStore) -> None:
        super().__init__(data)
        self._digests, self._blobs = digests, blobs

    def __missing__(self, name: str) -> bytes:
        if name not in self._digests:
            raise KeyError(name)
        self[name] = data = self._blobs.get(self._digests[name])
        return data


@dataclass(frozen=True)
class StoredFolio:
    manifest: FolioManifest
    files: list[FileFacts]
    data: dict[str, bytes] = field(repr=False)  # name -> bytes, to read without a round trip


class _Head:
    """Passes a stream through, keeping its first KiB (to sniff the type) and its length."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.head, self.size = stream, b"", 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        if len(self.head) < 1024:
            self.head += chunk[: 1024 - len(self.head)]
        self.size += len(chunk)
        return chunk


def store_file(incoming: IncomingFile, storage: Storage) -> FileFacts:
    """One entry into the blob store: in memory, streamed from disk, or (not a regular file)
    not at all: it is only described."""
    if incoming.entry is not None:
        return FileFacts(incoming.name, 0, "", incoming.entry)
    if incoming.data is not None:
        digest = storage.blobs.put(incoming.data)
        return FileFacts(incoming.name, len(incoming.data), digest, sniff_media_type(incoming.data))
    assert incoming.path is not None  # a regular file not held in memory is streamed from its path
    with open_regular(incoming.path) as handle:
        tee = _Head(handle)
        digest = storage.blobs.put_stream(tee)
    return FileFacts(incoming.name, tee.size, digest, sniff_media_type(tee.head))


def store_originals(
    manifest_bytes: bytes, files: list[IncomingFile], storage: Storage, owner: str | None = None
) -> StoredFolio:  # owner: StateStore.register_folio's
    """Every original goes to the blob store before anything parses it, folio.json included,
    so that even a folio refused for its manifest loses nothing. Entries that are not regular
    files are described (they become a finding), not stored: there are no bytes to keep."""
    storage.blobs.put(manifest_bytes)
    facts = [store_file(incoming, storage) for incoming in files]
    manifest = parse_manifest(manifest_bytes)
    storage.state.register_folio(manifest, owner)
    storage.state.record_files(manifest.folio, [(f.name, f.sha256, f.size, f.media_type) for f in facts if f.sha256])
    data = {f.name: f.data for f in files if f.data is not None}
    return StoredFolio(manifest, facts, _Originals(data, {f.name: f.sha256 for f in facts if f.sha256}, storage.blobs))


def stored_folio_from_storage(folio: str, storage: Storage) -> tuple[StoredFolio, date]:
    """The folio exactly as it was last evaluated, rebuilt from storage alone (the awaiting_sat
    sweep re-evaluates without the upload directory): the manifest from the folio row, the
    files and the intake date from the last decision, every byte from the blob store (verified
    against its SHA-256). Raises InputError naming the folio and the file when something is
    missing, so a caller can report it instead of crashing."""
    last = storage.state.last_decision(folio)
    if last is None:
        raise InputError(f"folio {folio}: no decision stored, nothing to re-evaluate")
    stored_manifest = storage.state.manifest(folio)
    if stored_manifest is None:
        raise InputError(f"folio {folio}: no manifest stored")
    try:
        manifest = FolioManifest.model_validate(stored_manifest)
    except ValidationError as exc:
        raise InputError(f"folio {folio}: stored manifest is no longer valid ({exc})") from None
    facts, data = [], {}
    for doc in last.documents:
        if not doc.sha256:  # an entry that was not a regular file: nothing was stored
            facts.append(FileFacts(doc.file, doc.size, doc.sha256, doc.media_type or "inode/unknown"))
            continue
        try:
            data[doc.file] = storage.blobs.get(doc.sha256)
        except (OSError, ValueError, BlobCorrupted) as exc:  # missing or corrupted original
            raise InputError(f"folio {folio}: original {doc.file} ({doc.sha256[:12]}) unreadable: {exc}") from None
        facts.append(FileFacts(doc.file, doc.size, doc.sha256, doc.media_type or sniff_media_type(data[doc.file])))
    return StoredFolio(manifest, facts, data), last.as_of


SNIFF_BYTES = 1024  # what sniff_media_type looks at


def stored_folio_from_accepted(accepted: AcceptedUpload, storage: Storage) -> StoredFolio:
    """The folio the intake API accepted, as `store_originals` would have built it from a
    directory holding the same files: the manifest from the folio row, each file's name, size
    and SHA-256 as registered, its media type sniffed from its first KiB (a ranged read); the
    bytes themselves are fetched from the blob store only when something reads them. The files
    are recorded against the folio (folio_files) as store_originals records them."""
    try:
        manifest = FolioManifest.model_validate(accepted.manifest)
    except ValidationError as exc:
        raise InputError(f"folio {accepted.folio}: stored manifest is no longer valid ({exc})") from None
    facts = []
    for f in accepted.files:
        try:
            head = storage.blobs.head(f.sha256, SNIFF_BYTES)
        except (OSError, ValueError) as exc:
            raise InputError(f"folio {accepted.folio}: original {f.name} ({f.sha256[:12]}) unreadable: {exc}") from None
        facts.append(FileFacts(f.name, f.size, f.sha256, sniff_media_type(head)))
    storage.state.record_files(manifest.folio, [(f.name, f.sha256, f.size, f.media_type) for f in facts])
    return StoredFolio(manifest, facts, _Originals({}, {f.name: f.sha256 for f in facts}, storage.blobs))
