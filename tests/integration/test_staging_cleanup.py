"""Half-finished uploads are removed once older than `staging_max_age_s`, and only then: the
blob store's staged entries, where the API streams uploads (swept when the API starts and at
intervals while it runs): the local store's `.incoming-*` files, and S3's `incoming/` objects
and unfinished multipart uploads (moto's server over HTTP). What is younger (maybe an upload in
progress) and every stored original stay. The API keeps no staging directory of its own."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from accepted import held, no_inbox, staged_left
from live_api import LiveServer
from pg import free_port

from api.app import create_app
from api.keys import create_key
from api.store import ApiStore
from application.staging import sweep_half_finished_uploads
from domain.config import Settings
from storage import LocalBlobStore, open_storage
from storage.s3 import S3BlobStore

HOUR = 3600


def aged(path: Path, seconds: float) -> Path:
    """`path` and everything under it made `seconds` old, as if its writer died that long ago."""
    then = time.time() - seconds
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (then, then), follow_symlinks=False)
    return path


def test_local_store_removes_only_old_incoming_files(tmp_path):
    store = LocalBlobStore(tmp_path / "originals")
    kept = store.put(b"%PDF-1.4 a stored original")
    old_root = tmp_path / "originals" / ".incoming-killed1"
    old_root.write_bytes(b"half of a stream")
    aged(old_root, 2 * HOUR)
    beside = tmp_path / "originals" / kept[:2] / kept[2:4] / ".incoming-killed2"
    beside.write_bytes(b"half of a put")
    aged(beside, 2 * HOUR)
    fresh = tmp_path / "originals" / ".incoming-in-progress"
    fresh.write_bytes(b"still arriving")

    swept = sweep_half_finished_uploads(store, None, HOUR)

    assert swept.blob_entries == 2 and swept.upload_dirs == 0
    assert not old_root.exists() and not beside.exists() and fresh.exists()
    assert store.get(kept) == b"%PDF-1.4 a stored original"


def test_s3_removes_old_incoming_objects_and_unfinished_multipart_uploads(moto_endpoint, s3_bucket):
    store = S3BlobStore.from_url(f"s3://{s3_bucket}/claims", endpoint_url=moto_endpoint)
    s3 = store.client
    kept = store.put(b"%PDF-1.4 a stored original")
    s3.put_object(Bucket=s3_bucket, Key="claims/incoming/killed-after-upload", Body=b"whole, never copied")
    unfinished = s3.create_multipart_upload(Bucket=s3_bucket, Key="claims/incoming/killed-mid-upload")
    s3.upload_part(
        Bucket=s3_bucket,
        Key="claims/incoming/killed-mid-upload",
        UploadId=unfinished["UploadId"],
        PartNumber=1,
        Body=b"0" * (5 * 1024 * 1024),
    )
    s3.put_object(Bucket=s3_bucket, Key="claims/elsewhere/old", Body=b"not staging")
    time.sleep(3)  # S3 times are kept to the second: 3 s apart, a 2 s age tells them apart
    s3.put_object(Bucket=s3_bucket, Key="claims/incoming/in-progress", Body=b"still arriving")

    assert store.sweep_staging(2.0) == 2

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket, Prefix="claims/").get("Contents", [])}
    assert keys == {store.key_of(kept), "claims/incoming/in-progress", "claims/elsewhere/old"}
    assert s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []
    assert store.get(kept) == b"%PDF-1.4 a stored original"


@pytest.fixture
def settings(home) -> Settings:
    return Settings(home=home, staging_max_age_s=HOUR)


def test_the_api_removes_what_a_killed_predecessor_left_when_it_starts(settings, home):
    storage = open_storage(settings)  # creates originals/
    old_blob = home / "originals" / ".incoming-killed"
    old_blob.write_bytes(b"half of an original")
    aged(old_blob, 2 * HOUR)
    young = home / "originals" / ".incoming-another-replica-receiving"
    young.write_bytes(b"still arriving")

    with LiveServer(create_app(settings, runner=lambda batch: None), free_port(), settings):
        assert not old_blob.exists()
        assert young.exists()
    assert staged_left(storage.blobs) == [str(young)]


def test_the_api_sweeps_while_it_runs_and_spares_an_upload_in_progress(home):
    """staging_max_age_s = 2: swept every second. A staged entry left behind goes within a few
    seconds; an upload that keeps sending for 5 s (each chunk written to its staged blob) is
    never taken for abandoned and is accepted whole."""
    settings = Settings(home=home, staging_max_age_s=2)
    storage = open_storage(settings)
    key = create_key(storage.state.engine, "portal-a")
    with LiveServer(create_app(settings, runner=lambda batch: None), free_port(), settings) as server:
        left = home / "originals" / ".incoming-killed-now"
        left.write_bytes(b"half of an original")
        chunk, chunks = b"0" * 65536, 25
        boundary = "sweeptestboundary"
        manifest = b'{"folio": "RB-SLOW", "claim_type": "reembolso", "received_at": "2026-11-20T10:00:00-06:00"}'

        def body():
            yield (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="manifest"; filename="folio.json"\r\n'
                    f"Content-Type: application/json\r\n\r\n"
                ).encode()
                + manifest
                + b"\r\n"
            )
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="escaneo.pdf"\r\n'
                f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
            ).encode()
            for _ in range(chunks):
                time.sleep(0.2)
                yield chunk
            yield f"\r\n--{boundary}--\r\n".encode()

        r = httpx.post(
            f"{server.url}/folios",
            content=body(),
            headers={"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=60,
        )
        assert r.status_code == 202, r.text
        assert r.json()["total_bytes"] == len(b"%PDF-1.4\n") + chunks * len(chunk)
        kept = held(ApiStore(storage.state.engine), storage.blobs, "RB-SLOW")
        assert kept == {"escaneo.pdf": b"%PDF-1.4\n" + chunks * chunk}
        deadline = time.monotonic() + 10
        while left.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left.exists()
        assert staged_left(storage.blobs) == [] and no_inbox(home)
