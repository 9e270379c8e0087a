"""S3BlobStore against moto's standalone server over real HTTP on 127.0.0.1."""

import base64
import hashlib

import boto3
import pytest

from domain.config import Settings
from storage import BlobCorrupted, ReportMissing, open_storage, sha256_of
from storage.s3 import S3BlobStore, parse_s3_url


@pytest.fixture
def store(moto_endpoint, s3_bucket) -> S3BlobStore:
    return S3BlobStore.from_url(f"s3://{s3_bucket}/claims", endpoint_url=moto_endpoint)


def test_parse_url():
    assert parse_s3_url("s3://b/a/b/") == ("b", "a/b")
    with pytest.raises(ValueError, match="not an S3 URL"):
        parse_s3_url("https://b/x")


def test_content_addressed_encrypted_and_checksummed(store):
    digest = store.put(b"factura original")
    assert digest == sha256_of(b"factura original")
    assert store.put(b"factura original") == digest  # idempotent
    assert store.exists(digest) and not store.exists("0" * 64)
    assert store.get(digest) == b"factura original"
    key = f"claims/originals/{digest[:2]}/{digest[2:4]}/{digest}"
    head = store.client.head_object(Bucket=store.bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ServerSideEncryption"] == "AES256"
    assert base64.b64decode(head["ChecksumSHA256"]) == hashlib.sha256(b"factura original").digest()


def test_tampered_object_is_refused_on_read(store):
    digest = store.put(b"bytes as sent")
    store.client.put_object(Bucket=store.bucket, Key=store.key_of(digest), Body=b"tampered")
    with pytest.raises(BlobCorrupted, match=digest):
        store.get(digest)


def test_bad_digest_names_are_refused(store):
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")


def test_reports_are_stored_beside(store):
    url = store.put_report("RB-1", "decision-001.json", b"{}", "application/json")
    assert url == f"s3://{store.bucket}/claims/reports/RB-1/decision-001.json"
    assert store.get_report("RB-1", "decision-001.json") == b"{}"
    with pytest.raises(ValueError):
        store.put_report("RB-1", "../x", b"")
    with pytest.raises(ReportMissing):  # as the local store says it, not botocore's NoSuchKey
        store.get_report("RB-1", "report.pdf")


def test_open_storage_selects_s3(tmp_path, moto_endpoint, s3_bucket):
    settings = Settings(home=tmp_path, blob_url=f"s3://{s3_bucket}/p", s3_endpoint_url=moto_endpoint)
    storage = open_storage(settings)
    assert isinstance(storage.blobs, S3BlobStore)
    digest = storage.blobs.put(b"x")
    keys = [
        o["Key"] for o in boto3.client("s3", endpoint_url=moto_endpoint).list_objects_v2(Bucket=s3_bucket)["Contents"]
    ]
    assert keys == [f"p/originals/{digest[:2]}/{digest[2:4]}/{digest}"]
