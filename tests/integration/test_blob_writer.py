"""The blob store's push-style writer (storage.BlobWriter), on the local store and on S3 (moto's
server over HTTP): chunks in, the SHA-256 computed on the way, nothing visible before commit,
nothing left after abort, and a blob larger than an S3 part goes up as a multipart upload."""

from __future__ import annotations

import hashlib

import pytest

from storage import LocalBlobStore
from storage.s3 import PART, S3BlobStore


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "originals")
    endpoint, bucket = request.getfixturevalue("moto_endpoint"), request.getfixturevalue("s3_bucket")
    return S3BlobStore.from_url(f"s3://{bucket}/claims", endpoint_url=endpoint)


def staged_entries(store) -> list[str]:
    """What is staged and not yet a blob: .incoming-* files, incoming/ objects, multipart uploads."""
    if isinstance(store, LocalBlobStore):
        return sorted(p.name for p in store.root.rglob(".incoming-*"))
    s3, bucket = store.client, store.bucket
    objects = s3.list_objects_v2(Bucket=bucket, Prefix="claims/incoming/").get("Contents", [])
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix="claims/incoming/").get("Uploads", [])
    return sorted([o["Key"] for o in objects] + [u["Key"] for u in uploads])


def all_blobs(store) -> set[str]:
    if isinstance(store, LocalBlobStore):
        return {p.name for p in store.root.rglob("*") if p.is_file() and not p.name.startswith(".")}
    objects = store.client.list_objects_v2(Bucket=store.bucket, Prefix="claims/originals/").get("Contents", [])
    return {o["Key"].rsplit("/", 1)[-1] for o in objects}


@pytest.mark.parametrize("size", [0, 70_000, PART + 300_000])
def test_a_written_blob_is_visible_only_once_committed(store, size):
    data = (b"%PDF-1.4 streamed\n" + bytes(range(256)) * (size // 256 + 1))[:size]
    writer = store.open_writer()
    for start in range(0, len(data), 65_536):
        writer.write(data[start : start + 65_536])
    digest = writer.seal()
    assert digest == hashlib.sha256(data).hexdigest() and writer.size == size
    assert not store.exists(digest) and all_blobs(store) == set()
    assert len(staged_entries(store)) == 1
    assert writer.commit() == digest
    assert store.get(digest) == data
    assert store.head(digest, 1024) == data[:1024]
    assert staged_entries(store) == []
    writer.abort()  # after commit: nothing to undo
    assert store.get(digest) == data


@pytest.mark.parametrize("size", [70_000, PART + 300_000])
def test_an_aborted_write_leaves_nothing(store, size):
    writer = store.open_writer()
    writer.write(b"%PDF-1.4 " + b"0" * size)  # past a part on S3: a multipart upload is open
    if size < PART:
        writer.seal()  # staged whole
    assert staged_entries(store) != []
    writer.abort()
    assert staged_entries(store) == [] and all_blobs(store) == set()


def test_committing_a_blob_already_there_keeps_one_copy(store):
    first = store.put(b"%PDF-1.4 same bytes")
    writer = store.open_writer()
    writer.write(b"%PDF-1.4 same bytes")
    assert writer.commit() == first
    assert all_blobs(store) == {first} and staged_entries(store) == []
