"""An upload that fails half-way leaves nothing visible and nothing staged, on the local blob
store and on S3 (moto's server over HTTP): a client that disconnects mid-file (on S3 with a
multipart upload already open), a body refused while it streams (413), and a server error
before the upload could be registered. Nothing is registered, no blob is stored, no staging entry
or unfinished multipart upload remains, and no inbox directory exists on the API's disk."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from accepted import held, no_inbox, staged_left
from live_api import LiveServer
from pg import free_port

from api.app import create_app
from api.keys import create_key
from api.store import ApiStore
from domain.config import Settings
from storage import LocalBlobStore, open_storage
from storage.s3 import PART, S3BlobStore

MANIFEST = json.dumps({"folio": "RB-HALF", "claim_type": "reembolso", "received_at": "2026-11-20T10:00:00-06:00"})
BOUNDARY = "halfwayboundary"


@pytest.fixture(params=["local", "s3"])
def served(request, home):
    if request.param == "s3":
        endpoint, bucket = request.getfixturevalue("moto_endpoint"), request.getfixturevalue("s3_bucket")
        settings = Settings(home=home, blob_url=f"s3://{bucket}/claims", s3_endpoint_url=endpoint)
    else:
        settings = Settings(home=home)
    storage = open_storage(settings)
    key = create_key(storage.state.engine, "portal-a")
    with LiveServer(create_app(settings, runner=lambda batch: None), free_port(), settings) as server:
        yield server, key, storage, home


def blobs_in(blobs) -> set[str]:
    if isinstance(blobs, LocalBlobStore):
        return {p.name for p in blobs.root.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert isinstance(blobs, S3BlobStore)
    found = blobs.client.list_objects_v2(Bucket=blobs.bucket, Prefix=blobs._key("originals") + "/")
    return {o["Key"] for o in found.get("Contents", [])}


def assert_nothing_left(storage, home, within_s: float = 10) -> None:
    deadline = time.monotonic() + within_s  # the handler cleans up once it sees the failure
    while staged_left(storage.blobs) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert staged_left(storage.blobs) == []
    assert blobs_in(storage.blobs) == set()
    assert held(ApiStore(storage.state.engine), storage.blobs, "RB-HALF") == {}
    assert storage.state.folio_row("RB-HALF") is None
    assert no_inbox(home)


def head_of_body(file_bytes: int) -> tuple[bytes, bytes]:
    start = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="manifest"; filename="folio.json"\r\n'
        f"Content-Type: application/json\r\n\r\n{MANIFEST}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="escaneo.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    return start, b"0" * file_bytes


def test_a_client_that_disconnects_mid_file_leaves_nothing(served):
    server, key, storage, home = served
    start, data = head_of_body(PART + 1024 * 1024)  # past one S3 part: a multipart upload is open
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            (
                f"POST /folios HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {len(start) + len(data) + 10_000_000}\r\n\r\n"
            ).encode()
            + start
            + data
        )
        deadline = time.monotonic() + 20  # until the API has staged something of it
        while not staged_left(storage.blobs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert staged_left(storage.blobs) != []
    assert_nothing_left(storage, home)


def test_a_body_refused_while_it_streams_leaves_nothing(served):
    server, key, storage, home = served
    start, data = head_of_body(51 * 1024 * 1024)
    body = start + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    r = httpx.post(
        f"{server.url}/folios",
        content=body,
        headers={"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        timeout=120,
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "PKG-005"
    assert_nothing_left(storage, home)


def test_a_server_error_before_registration_leaves_nothing(served, monkeypatch):
    server, key, storage, home = served

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ApiStore, "claim_folio", broken)
    start, data = head_of_body(300_000)
    r = httpx.post(
        f"{server.url}/folios",
        content=start + data + f"\r\n--{BOUNDARY}--\r\n".encode(),
        headers={"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        timeout=60,
    )
    assert r.status_code == 500
    assert_nothing_left(storage, home)
