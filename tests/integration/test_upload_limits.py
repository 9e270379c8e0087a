"""The folio limits (PKG-004: 50 files, PKG-005: 50 MiB) hold when uploads to one folio arrive
at once: two API replicas (two uvicorn servers, each its own app and engine) on one database,
SQLite and PostgreSQL, take concurrent POST /folios/{id}/files from many threads. The total
accepted never passes a limit, every accepted file is registered and in the blob store, nothing of
a refused upload is left (no blob, nothing staged). No flow runs (the dispatcher's runner does nothing): this is intake."""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from accepted import held, no_inbox, staged_left
from live_api import LiveServer
from pg import free_port
from sqlalchemy import delete

from api.app import create_app
from api.keys import create_key
from api.store import ApiStore
from domain.config import Settings
from storage import LocalBlobStore, open_storage, sha256_of
from storage.schema import api_folios, api_upload_files, api_upload_totals

MAX_FILES, MAX_BYTES = 50, 52_428_800
REPLICAS = 2


@pytest.fixture(params=["sqlite", "postgresql"])
def replicas(request, home):
    """(base URLs of the replicas, API key, home, ApiStore on the same database)."""
    url = request.getfixturevalue("fresh_pg_database") if request.param == "postgresql" else None
    settings = Settings(home=home, database_url=url, api_batch_window_s=0.2)
    engine = open_storage(settings).state.engine
    key = create_key(engine, "portal-a")
    with ExitStack() as stack:
        servers = [
            stack.enter_context(LiveServer(create_app(settings, runner=lambda batch: None), free_port(), settings))
            for _ in range(REPLICAS)
        ]
        yield [s.url for s in servers], key, home, ApiStore(engine, open_storage(settings).blobs)
    engine.dispose()


def pdf(tag: str, size: int = 64) -> bytes:
    head = f"%PDF-1.4 {tag}\n".encode()
    return head + b"0" * max(0, size - len(head))


def manifest_of(folio: str) -> str:
    return json.dumps({"folio": folio, "claim_type": "reembolso", "received_at": "2026-11-20T10:00:00-06:00"})


def create(url: str, key: str, folio: str, files: dict[str, bytes]) -> httpx.Response:
    manifest = manifest_of(folio)
    parts = [("manifest", ("folio.json", manifest.encode(), "application/json"))]
    parts += [("files", (name, data, "application/pdf")) for name, data in files.items()]
    return httpx.post(f"{url}/folios", files=parts, headers={"X-API-Key": key}, timeout=120)


def add(url: str, key: str, folio: str, files: dict[str, bytes]) -> httpx.Response:
    parts = [("files", (name, data, "application/pdf")) for name, data in files.items()]
    return httpx.post(f"{url}/folios/{folio}/files", files=parts, headers={"X-API-Key": key}, timeout=120)


def fire(urls: list[str], key: str, folio: str, uploads: list[dict[str, bytes]]) -> list[httpx.Response]:
    """All uploads at once, one thread each, spread over the replicas, released by one barrier."""
    start = threading.Barrier(len(uploads))

    def one(i: int) -> httpx.Response:
        start.wait()
        return add(urls[i % len(urls)], key, folio, uploads[i])

    with ThreadPoolExecutor(len(uploads)) as pool:
        return list(pool.map(one, range(len(uploads))))


def assert_folio_holds_exactly(
    home: Path, store: ApiStore, folio: str, expected: dict[str, bytes], replaced: tuple[bytes, ...] = ()
) -> None:
    """What was accepted is registered and in the blob store, byte for byte, and nothing else
    is: the store holds the accepted files, folio.json and the `replaced` versions (an original
    once accepted is kept), no blob of a refused upload, nothing staged, and no inbox directory."""
    blobs = store.blobs
    assert isinstance(blobs, LocalBlobStore)
    assert held(store, blobs, folio) == expected
    assert store.totals(folio) == (len(expected), sum(len(d) for d in expected.values()))
    in_store = {p.name for p in blobs.root.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert in_store == {hashlib.sha256(d).hexdigest() for d in (*expected.values(), *replaced)} | {
        sha256_of(manifest_of(folio).encode())
    }
    assert staged_left(blobs) == [] and no_inbox(home)


def test_concurrent_uploads_never_pass_the_file_limit(replicas):
    urls, key, home, store = replicas
    first = {f"base_{i:02d}.pdf": pdf(f"base {i}") for i in range(10)}
    assert create(urls[0], key, "RB-RACE-FILES", first).status_code == 202
    # 24 uploads of 5 new files each at once; room for 40 more files: exactly 8 fit. Files of
    # 256 KiB, so that the bodies stream long enough to overlap (before the counters, all passed)
    uploads = [{f"u{u:02d}_{i}.pdf": pdf(f"upload {u} file {i}", 256 * 1024) for i in range(5)} for u in range(24)]
    answers = fire(urls, key, "RB-RACE-FILES", uploads)

    accepted = [u for u, r in zip(uploads, answers, strict=True) if r.status_code == 202]
    refused = [r for r in answers if r.status_code != 202]
    assert len(accepted) == 8, [r.status_code for r in answers]
    assert all(r.status_code == 413 and r.json()["error"]["code"] == "PKG-004" for r in refused)
    numbers = sorted(r.json()["upload"] for r in answers if r.status_code == 202)
    assert numbers == list(range(2, 10))  # each accepted upload counted once, none twice
    expected = dict(first)
    for u in accepted:
        expected.update(u)
    assert len(expected) == MAX_FILES
    assert_folio_holds_exactly(home, store, "RB-RACE-FILES", expected)


def test_concurrent_uploads_never_pass_the_byte_limit(replicas):
    urls, key, home, store = replicas
    first = {"base.pdf": pdf("base", 4096)}
    assert create(urls[0], key, "RB-RACE-BYTES", first).status_code == 202
    # 16 uploads of one 5 MiB file at once: 9 fit (45 MiB + 4 KiB), a 10th would pass 50 MiB
    uploads = [{f"scan_{u:02d}.pdf": pdf(f"scan {u}", 5 * 1024 * 1024)} for u in range(16)]
    answers = fire(urls, key, "RB-RACE-BYTES", uploads)

    accepted = [u for u, r in zip(uploads, answers, strict=True) if r.status_code == 202]
    refused = [r for r in answers if r.status_code != 202]
    assert len(accepted) == 9, [r.status_code for r in answers]
    assert all(r.status_code == 413 and r.json()["error"]["code"] == "PKG-005" for r in refused)
    assert all(str(MAX_BYTES) in r.json()["error"]["message"] for r in refused)
    expected = dict(first)
    for u in accepted:
        expected.update(u)
    assert sum(len(d) for d in expected.values()) <= MAX_BYTES
    assert_folio_holds_exactly(home, store, "RB-RACE-BYTES", expected)


def test_the_limits_hold_over_separate_uploads(replicas):
    """One request after another, alternating replicas: the folio fills up to 50 files, the 51st
    is refused, a file sent again under its name replaces it (counted once, at its new size), and
    a replacement that would pass 50 MiB is refused with the folio unchanged."""
    urls, key, home, store = replicas
    expected = {f"doc_{i:02d}.pdf": pdf(f"doc {i}") for i in range(5)}
    assert create(urls[0], key, "RB-OVER-TIME", expected).status_code == 202
    for n in range(9):
        batch = {f"more_{n}_{i}.pdf": pdf(f"more {n} {i}") for i in range(5)}
        assert add(urls[n % 2], key, "RB-OVER-TIME", batch).status_code == 202
        expected.update(batch)
    assert len(expected) == MAX_FILES

    r = add(urls[1], key, "RB-OVER-TIME", {"one_too_many.pdf": pdf("51")})
    assert r.status_code == 413 and r.json()["error"]["code"] == "PKG-004"
    assert_folio_holds_exactly(home, store, "RB-OVER-TIME", expected)

    big = pdf("bigger doc_00", 40 * 1024 * 1024)
    assert add(urls[0], key, "RB-OVER-TIME", {"doc_00.pdf": big}).status_code == 202  # replaces, 50 files still
    replaced = (expected["doc_00.pdf"],)
    expected["doc_00.pdf"] = big
    assert_folio_holds_exactly(home, store, "RB-OVER-TIME", expected, replaced)

    r = add(urls[1], key, "RB-OVER-TIME", {"doc_01.pdf": pdf("too big", 11 * 1024 * 1024)})
    assert r.status_code == 413 and r.json()["error"]["code"] == "PKG-005"
    assert_folio_holds_exactly(home, store, "RB-OVER-TIME", expected, replaced)


def test_a_folio_from_before_the_counters_is_counted_from_its_directory(replicas):
    """Migration 0003 adds the counters empty: the first upload to an older folio (accepted into
    an inbox directory, before uploads went to the blob store) counts what its directory holds,
    under the lock, storing each file as a blob, and the limit holds from there."""
    urls, key, home, store = replicas
    files = {f"old_{i:02d}.pdf": pdf(f"old {i}") for i in range(48)}
    assert create(urls[0], key, "RB-OLDER", files).status_code == 202
    inbox = home / "inbox" / "RB-OLDER"  # as the API laid folios out then
    inbox.mkdir(parents=True)
    (inbox / "folio.json").write_text(manifest_of("RB-OLDER"))
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    with store.engine.begin() as conn:
        conn.execute(delete(api_upload_files).where(api_upload_files.c.folio == "RB-OLDER"))
        conn.execute(delete(api_upload_totals).where(api_upload_totals.c.folio == "RB-OLDER"))
        conn.execute(api_folios.update().where(api_folios.c.folio == "RB-OLDER").values(folio_dir=str(inbox)))
    for blob in [p for p in store.blobs.root.rglob("*") if p.is_file()]:
        blob.unlink()  # the old files were only in the directory
    r = add(urls[1], key, "RB-OLDER", {"new_1.pdf": pdf("n1"), "new_2.pdf": pdf("n2"), "new_3.pdf": pdf("n3")})
    assert r.status_code == 413 and r.json()["error"]["code"] == "PKG-004"
    assert add(urls[1], key, "RB-OLDER", {"new_1.pdf": pdf("n1"), "new_2.pdf": pdf("n2")}).status_code == 202
    assert store.totals("RB-OLDER") == (50, sum(len(d) for d in files.values()) + 2 * 64)
    assert held(store, store.blobs, "RB-OLDER") == {**files, "new_1.pdf": pdf("n1"), "new_2.pdf": pdf("n2")}
