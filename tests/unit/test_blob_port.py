"""The blob store port (storage.BlobStore): both stores implement all of it, reports included,
so callers never ask a store what it can do."""

from __future__ import annotations

import inspect

import pytest

from storage import BlobStore, LocalBlobStore, ReportMissing
from storage.s3 import S3BlobStore

PORT = (
    "put",
    "put_stream",
    "open_writer",
    "get",
    "head",
    "copy_to",
    "exists",
    "put_report",
    "get_report",
    "sweep_staging",
)


def test_both_stores_implement_the_whole_port():
    for store in (LocalBlobStore, S3BlobStore):
        assert BlobStore in store.__mro__  # declared, so a type checker holds it to the port
        for name in PORT:
            assert getattr(store, name) is not getattr(BlobStore, name), f"{store.__name__}.{name}"
            port = list(inspect.signature(getattr(BlobStore, name)).parameters)
            assert list(inspect.signature(getattr(store, name)).parameters) == port, f"{store.__name__}.{name}"


def test_the_local_store_keeps_no_second_copy_of_a_report(tmp_path):
    store = LocalBlobStore(tmp_path / "originals")
    assert store.put_report("RB-1", "decision-001.json", b"{}", "application/json") is None
    assert [p for p in (tmp_path / "originals").rglob("*") if p.is_file()] == []


def test_the_local_store_reads_reports_where_they_were_written(tmp_path):
    reports = tmp_path / "reports"
    (reports / "RB-1").mkdir(parents=True)
    (reports / "RB-1" / "report.pdf").write_bytes(b"%PDF-1.7 x")
    store = LocalBlobStore(tmp_path / "originals", reports)
    assert store.get_report("RB-1", "report.pdf") == b"%PDF-1.7 x"
    with pytest.raises(ReportMissing):
        store.get_report("RB-1", "report.html")
    with pytest.raises(ReportMissing):
        LocalBlobStore(tmp_path / "o2").get_report("RB-1", "report.pdf")  # no reports directory
    for folio, name in (("RB-1", "../secret"), ("..", "report.pdf"), ("RB-1", "a\\b"), ("RB-1", "")):
        with pytest.raises(ValueError):
            store.get_report(folio, name)
