"""The intake API served by a real uvicorn on 127.0.0.1, flows run in-process against the
session's Prefect test server (the embedded default: no deployment configured)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from accepted import held, no_inbox, staged_left
from live_api import LiveServer
from pg import free_port

from api.keys import create_key
from api.store import ApiStore
from domain.config import Settings
from storage import open_storage, sha256_of

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "folios" / "RB-2026-000101"


@pytest.fixture
def api(home, prefect_harness):
    from api.app import create_app

    settings = Settings(home=home, api_batch_window_s=0.2)
    engine = open_storage(settings).state.engine
    keys = {"a": create_key(engine, "portal-a"), "b": create_key(engine, "portal-b")}
    with (
        LiveServer(create_app(settings), free_port(), settings) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        yield client, keys, home


def folio_parts(folio_dir: Path, *, rename: str | None = None) -> list:
    manifest = (folio_dir / "folio.json").read_bytes()
    if rename:
        data = json.loads(manifest)
        data["folio"] = rename
        manifest = json.dumps(data).encode()
    parts = [("manifest", ("folio.json", manifest, "application/json"))]
    parts += [
        ("files", (p.name, p.read_bytes(), "application/octet-stream"))
        for p in sorted(folio_dir.iterdir())
        if p.name != "folio.json"
    ]
    return parts


def h(key: str, **extra) -> dict:
    return {"X-API-Key": key, **extra}


def holding(home: Path, folio: str) -> dict[str, bytes]:
    """What the API accepted into the folio: registered, its bytes in the blob store."""
    storage = open_storage(Settings(home=home))
    return held(ApiStore(storage.state.engine), storage.blobs, folio)


def nothing_stored(home: Path, folio: str) -> None:
    storage = open_storage(Settings(home=home))
    assert held(ApiStore(storage.state.engine), storage.blobs, folio) == {}
    assert staged_left(storage.blobs) == []
    assert no_inbox(home)


def wait_decision(client, key, folio, timeout=90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/folios/{folio}", headers=h(key)).json()
        if body["decisions"]:
            return body
        time.sleep(0.3)
    raise AssertionError(f"no decision for {folio} after {timeout} s")


def test_upload_is_decided_queued_and_claimable(api):
    client, keys, home = api
    r = client.post("/folios", files=folio_parts(SAMPLE), headers=h(keys["a"]))
    assert r.status_code == 202, r.text
    assert r.json()["folio"] == "RB-2026-000101" and len(r.json()["files"]) == 6
    assert sorted(holding(home, "RB-2026-000101")) == sorted(p.name for p in SAMPLE.iterdir() if p.name != "folio.json")
    assert open_storage(Settings(home=home)).blobs.exists(sha256_of((SAMPLE / "folio.json").read_bytes()))
    assert no_inbox(home)
    body = wait_decision(client, keys["a"], "RB-2026-000101")
    expected = json.loads((SAMPLE.parent / "RB-2026-000101.expected.json").read_text())
    assert body["status"] == expected["route"] == body["decisions"][-1]["route"]
    queue = expected["route"]
    assert [e["folio"] for e in client.get(f"/queues/{queue}", headers=h(keys["a"])).json()] == ["RB-2026-000101"]
    assert client.post(f"/queues/{queue}/claim", json={"adjudicator": "ana"}, headers=h(keys["a"])).json() == {
        "folio": "RB-2026-000101"
    }
    assert client.post(f"/queues/{queue}/claim", json={"adjudicator": "luis"}, headers=h(keys["a"])).json() == {
        "folio": None
    }
    assert client.get("/folios/RB-2026-000101", headers=h(keys["a"])).json()["claimed_by"] == "ana"
    r = client.post(
        f"/queues/{queue}/release", json={"folio": "RB-2026-000101", "adjudicator": "luis"}, headers=h(keys["a"])
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "NOT_CLAIMED"
    r = client.post(
        f"/queues/{queue}/release", json={"folio": "RB-2026-000101", "adjudicator": "ana"}, headers=h(keys["a"])
    )
    assert r.json() == {"released": True}


def test_another_portal_cannot_read_or_add(api):
    client, keys, home = api
    assert client.post("/folios", files=folio_parts(SAMPLE, rename="RB-A-1"), headers=h(keys["a"])).status_code == 202
    before = holding(home, "RB-A-1")
    r = client.get("/folios/RB-A-1", headers=h(keys["b"]))
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = client.post(
        "/folios/RB-A-1/files", files=[("files", ("extra.pdf", b"%PDF-1.4 x", "application/pdf"))], headers=h(keys["b"])
    )
    assert r.status_code == 404
    assert holding(home, "RB-A-1") == before
    r = client.post("/folios", files=folio_parts(SAMPLE, rename="RB-A-1"), headers=h(keys["b"]))
    assert r.status_code == 409  # the id is taken; B gets no access to it
    wait_decision(client, keys["a"], "RB-A-1")
    for queue in ("adjudication", "pending_documents", "awaiting_sat"):
        assert client.get(f"/queues/{queue}", headers=h(keys["b"])).json() == []
        assert client.post(f"/queues/{queue}/claim", json={"adjudicator": "b"}, headers=h(keys["b"])).json() == {
            "folio": None
        }
    # the owner can add files, and the folio is evaluated again
    r = client.post(
        "/folios/RB-A-1/files", files=[("files", ("nota.pdf", b"%PDF-1.4 x", "application/pdf"))], headers=h(keys["a"])
    )
    assert r.status_code == 202 and r.json()["upload"] == 2
    assert holding(home, "RB-A-1") == {**before, "nota.pdf": b"%PDF-1.4 x"}


def test_keys_are_required(api):
    client, keys, _ = api
    assert client.get("/folios/X").status_code == 401
    r = client.get("/folios/X", headers=h(keys["a"][:-2] + "zz"))
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


def test_51st_file_is_refused_with_nothing_stored(api):
    client, keys, home = api
    manifest = json.dumps({"folio": "RB-MANY", "claim_type": "reembolso", "received_at": "2026-11-20T10:00:00-06:00"})
    parts = [("manifest", ("folio.json", manifest.encode(), "application/json"))]
    parts += [("files", (f"doc_{i:02d}.pdf", b"%PDF-1.4 " + bytes([i]), "application/pdf")) for i in range(51)]
    r = client.post("/folios", files=parts, headers=h(keys["a"]))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "PKG-004" and "doc_50.pdf" in r.json()["error"]["message"]
    nothing_stored(home, "RB-MANY")
    assert client.get("/folios/RB-MANY", headers=h(keys["a"])).status_code == 404
    # 50 is fine; then one more through /files is refused and the folio is unchanged
    assert client.post("/folios", files=parts[:51], headers=h(keys["a"])).status_code == 202
    r = client.post("/folios/RB-MANY/files", files=[parts[51]], headers=h(keys["a"]))
    assert r.status_code == 413 and r.json()["error"]["code"] == "PKG-004"
    assert sorted(holding(home, "RB-MANY")) == [f"doc_{i:02d}.pdf" for i in range(50)]
    assert staged_left(open_storage(Settings(home=home)).blobs) == []


def test_51_mib_upload_is_refused_with_nothing_stored(api):
    client, keys, home = api
    manifest = json.dumps({"folio": "RB-BIG", "claim_type": "reembolso", "received_at": "2026-11-20T10:00:00-06:00"})
    big = b"%PDF-1.4\n" + b"0" * (51 * 1024 * 1024)
    r = client.post(
        "/folios",
        headers=h(keys["a"]),
        files=[
            ("manifest", ("folio.json", manifest.encode(), "application/json")),
            ("files", ("escaneo.pdf", big, "application/pdf")),
        ],
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "PKG-005" and "52428800" in r.json()["error"]["message"]
    nothing_stored(home, "RB-BIG")


def test_idempotency_key_makes_a_retry_safe(api):
    client, keys, home = api
    parts = folio_parts(SAMPLE, rename="RB-IDEM")
    first = client.post("/folios", files=parts, headers=h(keys["a"], **{"Idempotency-Key": "k-1"}))
    again = client.post("/folios", files=parts, headers=h(keys["a"], **{"Idempotency-Key": "k-1"}))  # new boundary
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = client.post(
        "/folios", files=folio_parts(SAMPLE, rename="RB-IDEM-2"), headers=h(keys["a"], **{"Idempotency-Key": "k-1"})
    )
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_MISMATCH"
    nothing_stored(home, "RB-IDEM-2")
    plain = client.post("/folios", files=parts, headers=h(keys["a"]))  # no key: a second create conflicts
    assert plain.status_code == 409 and plain.json()["error"]["code"] == "FOLIO_EXISTS"
    wait_decision(client, keys["a"], "RB-IDEM")
    assert len(client.get("/folios/RB-IDEM", headers=h(keys["a"])).json()["decisions"]) == 1


@pytest.mark.parametrize("name,code", [("../evil.pdf", "BAD_FILE_NAME"), ("folio.json", "BAD_FILE_NAME")])
def test_bad_file_names_are_refused(api, name, code):
    client, keys, home = api
    parts = folio_parts(SAMPLE, rename="RB-NAMES") + [("files", (name, b"x", "application/pdf"))]
    r = client.post("/folios", files=parts, headers=h(keys["a"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    nothing_stored(home, "RB-NAMES")


def test_bad_manifest_names_the_field(api):
    client, keys, home = api
    r = client.post(
        "/folios",
        headers=h(keys["a"]),
        files=[
            (
                "manifest",
                (
                    "folio.json",
                    b'{"folio": "X-1", "claim_type": "nope", "received_at": "2026-11-20"}',
                    "application/json",
                ),
            )
        ],
    )
    assert r.status_code == 422 and "claim_type" in r.json()["error"]["message"]
    r = client.post(
        "/folios",
        headers=h(keys["a"]),
        content=b"{}",
    )
    assert r.status_code == 415


def test_openapi_holds_up_under_schemathesis(api, tmp_path):
    client, keys, _ = api
    spec = client.get("/openapi.json").json()
    assert {
        "/folios",
        "/folios/{folio}/files",
        "/folios/{folio}",
        "/queues/{name}",
        "/queues/{name}/claim",
        "/queues/{name}/release",
    } <= set(spec["paths"])
    st = Path(sys.executable).with_name("st")
    proc = subprocess.run(
        [
            str(st),
            "run",
            f"{str(client.base_url).rstrip('/')}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "8",
            "--seed",
            "7",
            "--workers",
            "1",
            "--no-shrink",
            "-H",
            f"X-API-Key: {keys['a']}",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )  # its reports stay out of the repo
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_cli_creates_a_key_that_works(api, home):
    client, _, _ = api
    proc = subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", "api-key", "create", "portal-c"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout.strip()
    assert key.startswith("cik_")
    assert client.get("/folios/none", headers=h(key)).status_code == 404  # authenticated, just not found
    bad = subprocess.run(
        [sys.executable, "-m", "claim_intake.cli", "api-key", "create", "Bad Name!"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode == 2 and "portal name" in bad.stderr


def test_idempotency_key_is_scoped_to_the_request_not_just_the_portal(api):
    """The same key sent to another folio's /files with the same file must not replay the first
    folio's answer (issue 13 #8): the key is bound to method, path and body."""
    client, keys, home = api
    for folio in ("RB-SCOPE-A", "RB-SCOPE-B"):
        assert client.post("/folios", files=folio_parts(SAMPLE, rename=folio), headers=h(keys["a"])).status_code == 202
    extra = [("files", ("nota.pdf", b"%PDF-1.4 nota", "application/pdf"))]
    first = client.post("/folios/RB-SCOPE-A/files", files=extra, headers=h(keys["a"], **{"Idempotency-Key": "k-scope"}))
    assert first.status_code == 202 and first.json()["folio"] == "RB-SCOPE-A"
    replay = client.post(
        "/folios/RB-SCOPE-A/files", files=extra, headers=h(keys["a"], **{"Idempotency-Key": "k-scope"})
    )
    assert replay.status_code == 202 and replay.json() == first.json()
    other = client.post("/folios/RB-SCOPE-B/files", files=extra, headers=h(keys["a"], **{"Idempotency-Key": "k-scope"}))
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_MISMATCH", other.text
    assert "nota.pdf" not in holding(home, "RB-SCOPE-B")
    # another portal's use of the same key is its own: no replay, no mismatch
    assert (
        client.post(
            "/folios",
            files=folio_parts(SAMPLE, rename="RB-SCOPE-C"),
            headers=h(keys["b"], **{"Idempotency-Key": "k-scope"}),
        ).status_code
        == 202
    )


@pytest.fixture
def prefect_url(prefect_harness) -> str:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def renamed_copy(tmp_path: Path, folio: str) -> Path:
    import shutil

    target = tmp_path / folio
    shutil.copytree(SAMPLE, target)
    data = json.loads((target / "folio.json").read_text())
    data["folio"] = folio
    (target / "folio.json").write_text(json.dumps(data))
    return target


def test_a_taken_folio_id_is_refused_on_every_path_and_never_read(api, tmp_path, prefect_url):
    """Issue 13 #7/#13: a folio the command line decided cannot be "created" again by a portal
    (which then read its decision, holder RFC included); a portal's folio cannot be taken over by
    the command line; every taken id gets one indistinguishable 409, whoever has it."""
    from cli_runner import cli

    client, keys, home = api
    done = cli("process", str(renamed_copy(tmp_path, "RB-CLI-1")), "--json", home=home, api_url=prefect_url)
    assert done.returncode == 0, done.stderr
    cli_decision = json.loads(done.stdout)

    r = client.post("/folios", files=folio_parts(SAMPLE, rename="RB-CLI-1"), headers=h(keys["a"]))
    assert r.status_code == 409, r.text
    cli_taken = r.json()
    r = client.get("/folios/RB-CLI-1", headers=h(keys["a"]))
    absent = client.get("/folios/RB-NONE", headers=h(keys["a"]))
    assert r.status_code == absent.status_code == 404
    assert r.json() == json.loads(json.dumps(absent.json()).replace("RB-NONE", "RB-CLI-1"))
    assert holding(home, "RB-CLI-1") == {}

    # the same answer for an id this portal has, and for one another portal has
    assert (
        client.post("/folios", files=folio_parts(SAMPLE, rename="RB-PORTAL-A"), headers=h(keys["a"])).status_code == 202
    )
    own = client.post("/folios", files=folio_parts(SAMPLE, rename="RB-PORTAL-A"), headers=h(keys["a"]))
    other = client.post("/folios", files=folio_parts(SAMPLE, rename="RB-PORTAL-A"), headers=h(keys["b"]))
    assert own.status_code == other.status_code == 409
    assert own.json() == other.json() == json.loads(json.dumps(cli_taken).replace("RB-CLI-1", "RB-PORTAL-A"))
    assert own.json()["error"]["code"] == "FOLIO_EXISTS"
    assert "portal" not in json.dumps(cli_taken).replace("this portal", "")

    # the command line cannot take the portal's folio over either: exit 2, no owner named
    decided = wait_decision(client, keys["a"], "RB-PORTAL-A")
    refused = cli("process", str(renamed_copy(tmp_path, "RB-PORTAL-A")), "--json", home=home, api_url=prefect_url)
    assert refused.returncode == 2, refused.stderr
    assert "folio id already taken" in refused.stderr and "portal-a" not in refused.stderr + refused.stdout
    assert json.loads(refused.stdout)["error"]["code"] == "INPUT"
    after = client.get("/folios/RB-PORTAL-A", headers=h(keys["a"])).json()
    assert after["decisions"] == decided["decisions"]
    state = open_storage(Settings(home=home)).state
    assert state.owner("RB-PORTAL-A") == "portal-a" and state.owner("RB-CLI-1") == "@operator"
    assert [d.model_dump(mode="json") for d in state.history("RB-CLI-1")] == [cli_decision]


# ------------------------------------------------------------------------ slow clients (#13)


@pytest.fixture
def slow_api(home):
    """A real uvicorn on 127.0.0.1 with 2-second deadlines, so a trickle is cut quickly."""
    from api.app import create_app

    settings = Settings(home=home, api_header_timeout_s=2, api_body_timeout_s=2, api_body_min_rate=16384)
    key = create_key(open_storage(settings).state.engine, "portal-a")
    port = free_port()
    with LiveServer(create_app(settings, runner=lambda batch: None), port, settings) as server:
        yield port, key, home, server.url


def trickle(port: int, head: bytes, drip: bytes, *, every_s: float = 0.5, give_up_s: float = 15) -> tuple[bytes, float]:
    """Send `head` at once, then `drip` one byte every `every_s` seconds (0.5 s: twice the 1 byte/s
    of the report, to keep the test short) until the server answers or closes; (answer, seconds
    from the first dripped byte)."""
    import socket

    sock = socket.create_connection(("127.0.0.1", port), timeout=give_up_s)
    sock.setblocking(True)
    if head:
        sock.sendall(head)
    started, answer = time.monotonic(), b""
    try:
        for byte in drip:
            sock.settimeout(every_s)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                chunk = None
            if chunk is not None:  # an answer or the close: collect the rest
                answer += chunk
                break
            assert time.monotonic() - started < give_up_s, "the server is still holding the connection"
            sock.sendall(bytes([byte]))
        sock.settimeout(5)
        while chunk := sock.recv(65536):
            answer += chunk
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    return answer, time.monotonic() - started


def test_headers_sent_a_byte_at_a_time_are_cut_off(slow_api):
    port, key, _, _ = slow_api
    head = (
        f"GET /folios/RB-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nX-Padding: {'x' * 200}\r\n\r\n".encode()
    )
    answer, took = trickle(port, b"", head)
    assert took < 2 + 2, f"held for {took:.1f} s"
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"REQUEST_TIMEOUT" in answer


def test_a_connection_that_says_nothing_is_closed(slow_api):
    import socket

    port, _, _, _ = slow_api
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        answer = sock.recv(65536)
        while chunk := sock.recv(65536):
            answer += chunk
    assert time.monotonic() - started < 2 + 2 and answer.startswith(b"HTTP/1.1 408 ")


def test_a_body_sent_a_byte_at_a_time_is_cut_off_and_nothing_is_kept(slow_api):
    port, key, home, url = slow_api
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4 " + "x" * 400 + f"\r\n--{boundary}--\r\n"
    ).encode()
    head = (
        f"POST /folios HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nContent-Length: {len(body)}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n"
    ).encode()
    answer, took = trickle(port, head, body)
    assert took < 2 + 2, f"held for {took:.1f} s"
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"REQUEST_TIMEOUT" in answer and b"connection: close" in answer.lower()
    deadline = time.monotonic() + 5  # the handler cleans up after it sees the client gone
    blobs = open_storage(Settings(home=home)).blobs
    while staged_left(blobs) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert staged_left(blobs) == [] and no_inbox(home)
    # an upload at a normal pace on the same server is unaffected
    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.post("/folios", files=folio_parts(SAMPLE, rename="RB-FAST"), headers=h(key))
        assert r.status_code == 202, r.text
