"""What the intake API holds of a folio, seen as a worker sees it: the files registered for it
(name, size, SHA-256) with their bytes from the blob store, and what uploads left staged in the
blob store (half-finished: never committed, never aborted), and a folio directory accepted as the
API accepts it. Shared by the API, limit and flow tests and bench/folio.py."""

from __future__ import annotations

from pathlib import Path

from api.store import AcceptedFile, ApiStore
from domain.folio import parse_manifest
from storage import BlobStore, LocalBlobStore, Storage
from storage.s3 import S3BlobStore


def accept_dir(folio_dir: Path, storage: Storage, portal: str) -> tuple[str, bool]:
    """The folio in `folio_dir` as the intake API accepts it: its files and folio.json as blobs,
    registered for `portal` under the folio's lock (api/store.py), without the HTTP in between;
    (its id, which intake-batch takes; whether it was created, False when the id was taken)."""
    manifest_bytes = (folio_dir / "folio.json").read_bytes()
    manifest = parse_manifest(manifest_bytes)
    files = [
        AcceptedFile(p.name, p.stat().st_size, storage.blobs.put(p.read_bytes()))
        for p in sorted(folio_dir.iterdir())
        if p.name != "folio.json"
    ]
    created = ApiStore(storage.state.engine).claim_folio(
        manifest, portal, files, place=lambda: storage.blobs.put(manifest_bytes)
    )
    return manifest.folio, created


def held(store: ApiStore, blobs: BlobStore, folio: str) -> dict[str, bytes]:
    """name -> bytes of every file registered for the folio, read from the blob store."""
    return {name: blobs.get(f.sha256) for name, f in store.accepted_files(folio).items()}


def staged_left(blobs: BlobStore) -> list[str]:
    """Entries of uploads never committed nor aborted: `.incoming-*` files of the local store, or
    S3's `incoming/` objects and unfinished multipart uploads."""
    if isinstance(blobs, LocalBlobStore):
        return sorted(str(p) for p in blobs.root.rglob(".incoming-*"))
    assert isinstance(blobs, S3BlobStore)
    prefix = blobs._key("incoming") + "/"
    objects = blobs.client.list_objects_v2(Bucket=blobs.bucket, Prefix=prefix).get("Contents", [])
    uploads = blobs.client.list_multipart_uploads(Bucket=blobs.bucket, Prefix=prefix).get("Uploads", [])
    return sorted([o["Key"] for o in objects] + [u["Key"] for u in uploads])


def no_inbox(home: Path) -> bool:
    """Nothing of an upload on the API machine's disk: no inbox directory at all."""
    return not (home / "inbox").exists()
