"""Previews of a folio's documents for the console: each page drawn from the STORED ORIGINAL,
found by the SHA-256 its last decision recorded (never by the claimant's file name or a path),
in the reader sandbox, so a hostile original costs a reader process and gives no preview."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from domain.decision import DocumentResult
from domain.errors import InputError
from extractors import sandbox, sniff
from storage import Storage

_COUNTS_KEPT = 4096  # page counts by SHA-256: an original never changes, so neither does its count


class NoSuchDocument(InputError):
    """The folio has no decision, or its last decision no document at that position."""


@dataclass(frozen=True)
class Preview:
    png: bytes | None  # None: the page cannot be drawn (a placeholder is shown instead)
    pages: int


_counts: OrderedDict[str, int] = OrderedDict()
_counts_lock = threading.Lock()


def document_of(storage: Storage, folio: str, index: int) -> DocumentResult:
    """The document at `index` (0-based) of the folio's last decision."""
    decision = storage.state.last_decision(folio)
    if decision is None or not 0 <= index < len(decision.documents):
        raise NoSuchDocument(f"folio {folio} has no document {index}")
    return decision.documents[index]


def page_count(storage: Storage, doc: DocumentResult) -> int:
    """Pages a preview can show (0: none, e.g. an XML or bytes that cannot be drawn); remembered
    per SHA-256, so a folio page asks the sandbox once per original."""
    with _counts_lock:
        if doc.sha256 in _counts:
            _counts.move_to_end(doc.sha256)
            return _counts[doc.sha256]
    if not _drawable(doc):
        return 0
    drawn = _draw(storage, doc, None)
    count = drawn[1] if drawn else 0
    with _counts_lock:
        _counts[doc.sha256] = count
        while len(_counts) > _COUNTS_KEPT:
            _counts.popitem(last=False)
    return count


def page_preview(storage: Storage, folio: str, index: int, page: int) -> Preview:
    """Page `page` (1-based) of the document at `index` of the folio's last decision."""
    doc = document_of(storage, folio, index)
    drawn = _draw(storage, doc, page - 1) if _drawable(doc) and page >= 1 else None
    return Preview(drawn[0], drawn[1]) if drawn else Preview(None, 0)


def _drawable(doc: DocumentResult) -> bool:
    return (doc.media_type or "") == sniff.PDF or (doc.media_type or "").startswith("image/")


def _draw(storage: Storage, doc: DocumentResult, page: int | None) -> tuple[bytes, int] | None:
    try:
        data = storage.blobs.get(doc.sha256)
    except Exception:  # noqa: BLE001 - missing (S3: botocore's ClientError), or no longer matching its hash
        return None
    return sandbox.preview(data, doc.media_type or sniff.UNKNOWN, page, sandbox.Budget())
