"""Issue 13, "bytes and names": what a file is comes from the magic number at its start; a CFDI
in UTF-16/32 is XML refused as not UTF-8 (CFDI-002); names that are not UTF-8 and entries that
are not regular files are findings, never a crash and never followed; folio.json is read without
following a link, and refused with duplicate keys or an intake date in the future."""

from __future__ import annotations

import io
import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import extractors
from application.evaluate import evaluate_folio
from application.folio_dir import InputError, read_folio_dir
from application.originals import store_originals
from application.reupload import add_files
from application.services import services_for
from domain.config import Settings, default_ruleset
from storage import open_storage

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"
CFDI_FOLIO = SAMPLES / "RB-2026-000101"
CFDI_FILE = "76B27345-D033-507E-BB24-54638DAF4992.xml"
AS_OF = date(2026, 11, 20)


def _jpeg_with_pdf_comment() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, "JPEG")
    jpeg = buf.getvalue()
    comment = b"%PDF-1.7 not a pdf"
    com = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return jpeg[:2] + com + jpeg[2:]  # the COM segment right after SOI


def _reencoded(data: bytes, codec: str, bom: bool = True) -> bytes:
    text = data.decode("utf-8").replace(
        'encoding="UTF-8"', f'encoding="{codec.split("-")[0].upper()}-{codec.split("-")[1]}"'
    )
    body = text.encode(codec)
    marks = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}
    return (marks[codec] if bom else b"") + body


@pytest.mark.parametrize(
    "codec,bom", [("utf-16-le", True), ("utf-16-be", True), ("utf-32-le", True), ("utf-16-le", False)]
)
def test_utf16_and_utf32_xml_is_sniffed_as_xml(codec, bom):
    data = _reencoded((CFDI_FOLIO / CFDI_FILE).read_bytes(), codec, bom)
    assert extractors.sniff_media_type(data) == "application/xml"


def test_a_jpeg_is_a_jpeg_whatever_its_comment_says():
    data = _jpeg_with_pdf_comment()
    assert b"%PDF-" in data[:1024]
    assert extractors.sniff_media_type(data) == "image/jpeg"
    # Without a start-anchored magic number a PDF header in the first KiB still counts (PDF readers).
    assert extractors.sniff_media_type(b"garbage\n" * 10 + b"%PDF-1.4\n") == "application/pdf"


def _run(folder: Path, home: Path):
    services = services_for(Settings(home=home), default_ruleset())
    stored = store_originals(*read_folio_dir(folder), services.storage)
    return evaluate_folio(stored, services, as_of=AS_OF).decision, services.storage


def test_a_utf16_cfdi_is_cfdi_002_not_utf8(tmp_path):
    folder = tmp_path / "folio"
    folder.mkdir()
    shutil.copy(CFDI_FOLIO / "folio.json", folder / "folio.json")
    shutil.copy(CFDI_FOLIO / CFDI_FILE.replace(".xml", ".pdf"), folder)  # its pair (CFDI-010)
    (folder / CFDI_FILE).write_bytes(_reencoded((CFDI_FOLIO / CFDI_FILE).read_bytes(), "utf-16-le"))
    decision, _ = _run(folder, tmp_path / "home")
    doc = next(d for d in decision.documents if d.file == CFDI_FILE)
    assert doc.media_type == "application/xml" and doc.kind.value == "cfdi_xml"
    assert [f.code for f in doc.findings] == ["CFDI-002"]
    assert "UTF-8" in doc.findings[0].message_es and "UTF-16" in doc.findings[0].message_es
    assert doc.extracted.get("uuid")  # read all the same: the adjudicator sees what it says


def test_a_jpeg_with_pdf_in_its_comment_is_read_as_a_jpeg(tmp_path):
    folder = tmp_path / "folio"
    folder.mkdir()
    shutil.copy(CFDI_FOLIO / "folio.json", folder / "folio.json")
    (folder / "foto.jpg").write_bytes(_jpeg_with_pdf_comment())
    decision, _ = _run(folder, tmp_path / "home")
    [doc] = decision.documents
    assert doc.media_type == "image/jpeg"
    assert "PKG-002" not in {f.code for f in doc.findings}


# ------------------------------------------------------------------ names and odd entries


def _df_folio(folder: Path) -> Path:
    shutil.copytree(SAMPLES / "DF-2026-000301", folder)
    return folder


def test_odd_entries_and_a_non_utf8_name_are_findings_through_the_cli(tmp_path, api_url):
    import os

    from cli_runner import cli

    folio = _df_folio(tmp_path / "folio")
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 secret outside the folio")
    os.symlink(secret, folio / "enlace.pdf")
    os.mkfifo(folio / "tuberia.pdf")  # opened for reading, it would block the run for ever
    (folio / "anexos").mkdir()
    (folio / "anexos" / "dentro.pdf").write_bytes(b"%PDF-1.4 inside a subdirectory")
    raw_name = os.fsencode(folio) + b"/caf\xe9.pdf"
    report = (SAMPLES / "DF-2026-000301" / "constancia_situacion_fiscal.pdf").read_bytes()
    with open(raw_name, "wb") as handle:
        handle.write(report + b"\n% a different file\n")

    home = tmp_path / "home"
    result = cli("process", str(folio), "--json", home=home, api_url=api_url)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    docs = {d["file"]: d for d in answer["documents"]}
    for name, entry in (
        ("enlace.pdf", "symbolic link, not followed"),
        ("tuberia.pdf", "FIFO, not read"),
        ("anexos", "directory, not read"),
    ):
        assert docs[name]["status"] == "rejected", docs[name]
        [finding] = docs[name]["findings"]
        assert finding["code"] == "PKG-006" and finding["evidence"]["entry"] == entry
    odd = docs["caf\\xe9.pdf"]
    assert "PKG-003" in {f["code"] for f in odd["findings"]} and odd["status"] == "rejected"
    blob = home / "originals" / odd["sha256"][:2] / odd["sha256"][2:4] / odd["sha256"]
    assert blob.read_bytes() == report + b"\n% a different file\n"  # stored like any other
    stored = {p.read_bytes() for p in (home / "originals").rglob("*") if p.is_file()}
    assert secret.read_bytes() not in stored and b"%PDF-1.4 inside a subdirectory" not in stored
    assert "Traceback" not in result.stderr
    history = cli("history", answer["folio"], "--json", home=home)
    assert history.returncode == 0 and "caf\\\\xe9.pdf" in history.stdout


def test_a_folio_json_that_is_a_link_is_refused_not_followed(tmp_path, api_url):
    import os

    from cli_runner import cli

    folio = _df_folio(tmp_path / "folio")
    target = tmp_path / "elsewhere.json"
    target.write_bytes((folio / "folio.json").read_bytes())  # even a valid manifest
    (folio / "folio.json").unlink()
    os.symlink(target, folio / "folio.json")
    home = tmp_path / "home"
    result = cli("process", str(folio), "--json", home=home, api_url=api_url)
    assert result.returncode == 2, result.stderr[-2000:]
    message = json.loads(result.stdout)["error"]["message"]
    assert "folio.json" in message and "symbolic link" in message
    stored = (
        [p.read_bytes() for p in (home / "originals").rglob("*") if p.is_file()]
        if (home / "originals").exists()
        else []
    )
    assert target.read_bytes() not in stored


def test_read_folio_dir_never_follows_a_manifest_link(tmp_path):
    import os

    folio = _df_folio(tmp_path / "folio")
    (folio / "folio.json").unlink()
    os.symlink("/etc/passwd", folio / "folio.json")
    with pytest.raises(InputError, match="symbolic link"):
        read_folio_dir(folio)


# --------------------------------------------------------------------------------- folio.json


def test_duplicate_keys_are_refused_at_any_depth():
    from domain.folio import ManifestError, parse_manifest

    base = '{"folio": "RB-1", "claim_type": "reembolso", "received_at": "2026-11-20T10:15:00-06:00"'
    with pytest.raises(ManifestError, match="'folio' appears twice"):
        parse_manifest((base + ', "folio": "RB-2"}').encode())
    with pytest.raises(ManifestError, match="'rfc' appears twice"):
        parse_manifest((base + ', "holder": {"name": "A", "rfc": "LOGM850312AB1", "rfc": "XAXX010101000"}}').encode())
    assert parse_manifest((base + "}").encode()).folio == "RB-1"


def test_an_intake_date_far_in_the_future_is_refused_naming_the_field():
    from domain.folio import ManifestError, parse_manifest

    raw = b'{"folio": "RB-1", "claim_type": "reembolso", "received_at": "2026-11-20T10:15:00-06:00"}'
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert parse_manifest(raw, now=now).folio == "RB-1"  # hours ahead (time zones, skew) is fine
    with pytest.raises(ManifestError, match="field 'received_at'.*future"):
        parse_manifest(raw, now=datetime(2026, 11, 18, tzinfo=UTC))
    with pytest.raises(ManifestError, match="field 'received_at'"):
        parse_manifest(raw.replace(b"2026-11-20", b"2099-01-01"))  # against the real clock


# ------------------------------------------------------------ a file far over the folio limit

_PIPELINE_RSS = """
import json, sys
from datetime import date, datetime, timezone
from pathlib import Path
from application.evaluate import evaluate_folio
from application.folio_dir import read_folio_dir
from application.originals import store_originals
from application.services import services_for
from domain.config import Settings, default_ruleset

services = services_for(Settings(home=Path(sys.argv[2])), default_ruleset())
stored = store_originals(*read_folio_dir(Path(sys.argv[1]), services.ruleset.thresholds), services.storage)
decision = evaluate_folio(stored, services, as_of=date(2026, 11, 20)).decision
status = Path("/proc/self/status").read_text()
hwm = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1])
print(json.dumps({"codes": decision.codes(), "peak_rss_mb": hwm / 1024,
                  "documents": [[d.file, d.sha256, d.size, d.status.value] for d in decision.documents]}))
"""


def test_a_file_far_over_the_limit_is_stored_by_streaming_with_flat_memory(tmp_path):
    """A 300 MB file (sparse: zeros) next to a small folio: refused whole (PKG-005), stored as
    sent, and the process never holds it: before streaming the peak RSS was ~440 MB here."""
    import hashlib
    import os
    import subprocess
    import sys

    folio = _df_folio(tmp_path / "folio")
    size = 300 << 20
    with open(folio / "grande.pdf", "wb") as handle:
        handle.truncate(size)
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", _PIPELINE_RSS, str(folio), str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout)
    assert answer["codes"] == ["PKG-005"]
    assert answer["peak_rss_mb"] < 250, answer["peak_rss_mb"]
    big = next(d for d in answer["documents"] if d[0] == "grande.pdf")
    zeros = hashlib.sha256()
    for _ in range(size >> 20):
        zeros.update(bytes(1 << 20))
    assert big[1:] == [zeros.hexdigest(), size, "not_evaluated"]
    blob = home / "originals" / big[1][:2] / big[1][2:4] / big[1]
    assert blob.stat().st_size == size
    assert not list((home / "originals").rglob(".incoming-*"))


def test_put_stream_failing_half_way_leaves_nothing(tmp_path):
    from storage import LocalBlobStore, sha256_of

    store = LocalBlobStore(tmp_path / "blobs")

    class Broken:
        calls = 0

        def read(self, size=-1):
            Broken.calls += 1
            if Broken.calls > 2:
                raise OSError(5, "Input/output error")
            return b"x" * 1000

    with pytest.raises(OSError):
        store.put_stream(Broken())
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []
    digest = store.put_stream(io.BytesIO(b"streamed original"))
    assert digest == sha256_of(b"streamed original") and store.get(digest) == b"streamed original"
    assert store.put_stream(io.BytesIO(b"streamed original")) == digest  # idempotent
    assert [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [digest]


def test_s3_put_stream_is_content_addressed_and_leaves_no_staging_object(moto_endpoint, s3_bucket):
    import hashlib

    from storage.s3 import S3BlobStore

    store = S3BlobStore.from_url(f"s3://{s3_bucket}/claims", endpoint_url=moto_endpoint)
    data = os.urandom(9 << 20)  # more than one part of upload_fileobj's default 8 MiB
    digest = store.put_stream(io.BytesIO(data))
    assert digest == hashlib.sha256(data).hexdigest() and store.get(digest) == data
    assert store.put_stream(io.BytesIO(data)) == digest
    head = store.client.head_object(Bucket=store.bucket, Key=store.key_of(digest), ChecksumMode="ENABLED")
    assert head["ServerSideEncryption"] == "AES256"
    keys = [o["Key"] for o in store.client.list_objects_v2(Bucket=store.bucket)["Contents"]]
    assert keys == [store.key_of(digest)]
    target = Path(os.environ.get("TMPDIR", "/tmp")) / f"copy-{digest[:12]}"
    try:
        store.copy_to(digest, target)
        assert target.read_bytes() == data
    finally:
        target.unlink(missing_ok=True)


_ADD_RSS = """
import json, sys
from pathlib import Path
from application.folio_dir import read_folio_dir
from application.originals import store_originals
from application.reupload import add_files
from domain.config import Settings
from storage import open_storage

storage = open_storage(Settings(home=Path(sys.argv[2])))
stored = store_originals(*read_folio_dir(Path(sys.argv[1])), storage)
dest = add_files(stored.manifest.folio, [Path(sys.argv[3])], storage, Path(sys.argv[2]) / "again")
status = Path("/proc/self/status").read_text()
hwm = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1])
print(json.dumps({"peak_rss_mb": hwm / 1024, "laid_out": sorted(p.name for p in dest.iterdir()),
                  "size": (dest / Path(sys.argv[3]).name).stat().st_size}))
"""


def test_a_large_re_upload_is_streamed_in_and_out(tmp_path):
    """`claim-intake add` with a 300 MB file: stored and laid out again without being held."""
    import subprocess
    import sys

    folio = _df_folio(tmp_path / "folio")
    big = tmp_path / "grande.pdf"
    with open(big, "wb") as handle:
        handle.truncate(300 << 20)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", _ADD_RSS, str(folio), str(tmp_path / "home"), str(big)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout)
    assert "grande.pdf" in answer["laid_out"] and answer["size"] == 300 << 20
    assert answer["peak_rss_mb"] < 250, answer["peak_rss_mb"]


def test_a_re_upload_through_a_link_is_refused(tmp_path):
    folio = _df_folio(tmp_path / "folio")
    storage = open_storage(Settings(home=tmp_path / "home"))
    stored = store_originals(*read_folio_dir(folio), storage)
    link = tmp_path / "informe.pdf"
    os.symlink("/etc/passwd", link)
    with pytest.raises(InputError, match="symbolic link"):
        add_files(stored.manifest.folio, [link], storage, tmp_path / "again")


def test_a_streamed_copy_abandoned_by_a_killed_process_is_swept(tmp_path):
    import time

    from storage import LocalBlobStore

    root = tmp_path / "originals"
    root.mkdir()
    abandoned, in_progress = root / ".incoming-killed", root / ".incoming-running"
    abandoned.write_bytes(b"half of a large original")
    in_progress.write_bytes(b"another process is writing this")
    old = time.time() - 2 * LocalBlobStore.STALE_INCOMING_S
    os.utime(abandoned, (old, old))
    LocalBlobStore(root)
    assert not abandoned.exists() and in_progress.exists()
