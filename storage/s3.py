"""Originals in S3 (or any S3-compatible store), content-addressed like the local store.

Why each request carries what it does:
- the key is the SHA-256 of the bytes, so a retried or duplicate upload is the same object;
- `ChecksumSHA256` on write makes S3 itself refuse bytes damaged on the way in, and every read
  hashes the bytes again, so corruption at rest or in transit is caught before a validator sees it;
- `ServerSideEncryption` is requested on every write (claim documents are personal data), not
  left to a bucket default someone may change;
- reports and notices go under `<prefix>/reports/<folio>/` beside the originals."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from .blobs import (
    BlobCorrupted,
    BlobStore,
    BlobWriter,
    ByteStream,
    ReportMissing,
    StagedWriter,
    check_report_name,
    sha256_of,
)

PART = 8 * 1024 * 1024  # a multipart upload's part (S3 wants at least 5 MiB but for the last)


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"not an S3 URL (s3://bucket/prefix): {url!r}")
    return parsed.netloc, parsed.path.strip("/")


class S3BlobStore(BlobStore):
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client=None,
        endpoint_url: str | None = None,
        region: str | None = None,
        sse: str = "AES256",
        kms_key_id: str | None = None,
    ):
        if client is None:  # boto3 loads only for an s3:// store (~0.5 s): local files need none of it
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region or "us-east-1",
                config=Config(retries={"max_attempts": 5, "mode": "standard"}),
            )
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.sse = sse
        self.kms_key_id = kms_key_id

    @classmethod
    def from_url(cls, url: str, **kwargs) -> S3BlobStore:
        bucket, prefix = parse_s3_url(url)
        return cls(bucket, prefix, **kwargs)

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def key_of(self, sha256: str) -> str:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self._key("originals", sha256[:2], sha256[2:4], sha256)

    def _encryption(self) -> dict:
        extra = {"ServerSideEncryption": self.sse}
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        return extra

    def _put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode(),
            **self._encryption(),
        )

    def put(self, data: bytes) -> str:
        digest = sha256_of(data)
        key = self.key_of(digest)
        if not self.exists(digest):
            self._put(key, data)
        return digest

    def put_stream(self, stream: ByteStream) -> str:
        """Store what `stream` yields without holding it: uploaded in parts (boto3's
        upload_fileobj, S3 checking each part's SHA-256) under a temporary key while it is
        hashed, then copied server-side to its content address and the temporary key removed."""
        hashing = _Hashing(stream)
        staging = self.staging_key()
        self.client.upload_fileobj(
            hashing, self.bucket, staging, ExtraArgs={"ChecksumAlgorithm": "SHA256", **self._encryption()}
        )
        digest = hashing.sha256.hexdigest()
        self._place(staging, digest)
        return digest

    def open_writer(self) -> BlobWriter:
        return _S3Writer(self)

    def staging_key(self) -> str:
        return self._key("incoming", uuid.uuid4().hex)

    def _place(self, staging: str, digest: str) -> None:
        """A sealed staging object to its content address (a server-side copy, unless the blob
        is there already), then the staging object removed."""
        try:
            if not self.exists(digest):
                self.client.copy_object(
                    Bucket=self.bucket,
                    Key=self.key_of(digest),
                    CopySource={"Bucket": self.bucket, "Key": staging},
                    ChecksumAlgorithm="SHA256",
                    **self._encryption(),
                )
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=staging)

    def head(self, sha256: str, size: int) -> bytes:
        """A ranged GET: the first bytes only, checked against nothing (the whole is checked
        when it is read)."""
        from botocore.exceptions import ClientError  # botocore only with an S3 store: see __init__

        if size <= 0:
            return b""
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.key_of(sha256), Range=f"bytes=0-{size - 1}")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":  # an empty object has no byte 0
                return b""
            raise
        return obj["Body"].read()[:size]

    def get(self, sha256: str) -> bytes:
        obj = self.client.get_object(Bucket=self.bucket, Key=self.key_of(sha256), ChecksumMode="ENABLED")
        data = obj["Body"].read()
        if sha256_of(data) != sha256:
            raise BlobCorrupted(f"s3://{self.bucket}/{self.key_of(sha256)} does not match its hash")
        return data

    def copy_to(self, sha256: str, target: Path) -> None:
        """The object written to `target` chunk by chunk, its hash checked on the way."""
        obj = self.client.get_object(Bucket=self.bucket, Key=self.key_of(sha256), ChecksumMode="ENABLED")
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            for chunk in obj["Body"].iter_chunks(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            Path(target).unlink(missing_ok=True)
            raise BlobCorrupted(f"s3://{self.bucket}/{self.key_of(sha256)} does not match its hash")

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError  # botocore only with an S3 store: see __init__

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key_of(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def sweep_staging(self, older_than_s: float) -> int:
        """put_stream's temporary `incoming/` objects, and its unfinished multipart uploads
        (invisible to a listing of objects, but kept and billed until aborted), when older than
        `older_than_s`: left by a process killed mid-copy."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_s)
        prefix, removed = self._key("incoming") + "/", 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                if obj["LastModified"] < cutoff:
                    self.client.delete_object(Bucket=self.bucket, Key=obj["Key"])
                    removed += 1
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=prefix):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed += 1
        return removed

    # -- reports and notices, beside the originals ----------------------------------------
    def report_key(self, folio: str, name: str) -> str:
        check_report_name(folio, name)
        return self._key("reports", folio, name)

    def put_report(
        self, folio: str, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> str | None:
        key = self.report_key(folio, name)
        self._put(key, data, content_type)
        return f"s3://{self.bucket}/{key}"

    def get_report(self, folio: str, name: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.report_key(folio, name))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise ReportMissing(f"no report {folio}/{name}") from None


class _S3Writer(StagedWriter):
    """Staged under `incoming/<random>`: a file smaller than a part is held until sealed, then put
    whole (S3 checking its SHA-256); a larger one goes up part by part as a multipart upload,
    so no more than a part is ever held. Commit copies it to its content address server-side and
    removes the staging object; abort removes it (or aborts the multipart upload). What a killed
    process leaves under incoming/ is removed by sweep_staging."""

    def __init__(self, store: S3BlobStore) -> None:
        super().__init__()
        self.store = store
        self.key = store.staging_key()
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict] = []

    def _append(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) >= PART:
            self._send_part()

    def _send_part(self) -> None:
        client, store = self.store.client, self.store
        if self._upload_id is None:
            started = client.create_multipart_upload(
                Bucket=store.bucket, Key=self.key, ChecksumAlgorithm="SHA256", **store._encryption()
            )
            self._upload_id = started["UploadId"]
        data, number = bytes(self._buffer), len(self._parts) + 1
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        sent = client.upload_part(
            Bucket=store.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=data,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=checksum,
        )
        self._parts.append({"ETag": sent["ETag"], "PartNumber": number, "ChecksumSHA256": checksum})
        self._buffer = bytearray()

    def _finish(self) -> None:
        store = self.store
        if self._upload_id is None:
            store._put(self.key, bytes(self._buffer))
        else:
            if self._buffer:
                self._send_part()
            store.client.complete_multipart_upload(
                Bucket=store.bucket, Key=self.key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
            )
            self._upload_id = None
        self._buffer = bytearray()

    def _place(self, digest: str) -> None:
        self.store._place(self.key, digest)

    def _discard(self) -> None:
        client, bucket = self.store.client, self.store.bucket
        if self._upload_id is not None:
            client.abort_multipart_upload(Bucket=bucket, Key=self.key, UploadId=self._upload_id)
        elif self._digest is not None:
            client.delete_object(Bucket=bucket, Key=self.key)


class _Hashing:
    """A read-only file object that hashes what passes through it (for upload_fileobj)."""

    def __init__(self, stream: ByteStream):
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.sha256.update(chunk)
        return chunk
