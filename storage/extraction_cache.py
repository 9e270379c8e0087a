"""What the read step found in a file, kept so that a re-upload does not read it again.

Reading (PDF text, OCR, CFDI schema and seal checks) is the expensive, deterministic part of an
evaluation: the same bytes read under the same rule set and the same reading context (file name,
declared kind, text threshold, trust and stamp stores) give the same result. A re-upload
re-evaluates the whole folio, so without this cache every accepted document would be OCR'd
again. Keyed by (sha256, ruleset version, reader digest); the original bytes are not duplicated
here (they live in the blob store) and are put back on load. A row that cannot be loaded is a
miss, never an error. Rows are pickled `extractors.ReadDocument`s written by this process only.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .schema import extraction_cache

log = logging.getLogger("claim_intake.extraction_cache")
FORMAT = "2"  # bump when ReadDocument's shape changes: old rows become misses (2: `failure`)


class ExtractionCache:
    """`reader`: what else a read depends on besides bytes and rule set (trust store, stamp
    certificates); see `reader_fingerprint`. `misses`/`hits` count this instance's lookups."""

    def __init__(self, engine: Engine, ruleset_version: str, reader: str = ""):
        self.engine, self.ruleset, self.reader = engine, ruleset_version, reader
        self.hits = 0
        self.misses = 0

    def _reader_key(self, name: str, declared: str | None, min_text_chars: int) -> str:
        raw = "|".join([FORMAT, self.reader, name, declared or "", str(min_text_chars)])
        return hashlib.sha256(raw.encode()).hexdigest()

    def get(self, sha256: str, data: bytes, name: str, declared: str | None, min_text_chars: int):
        key = self._reader_key(name, declared, min_text_chars)
        where = (
            extraction_cache.c.sha256 == sha256,
            extraction_cache.c.ruleset == self.ruleset,
            extraction_cache.c.reader == key,
        )
        with self.engine.begin() as conn:
            row = conn.execute(select(extraction_cache.c.body).where(*where)).first()
            if row is None:
                self.misses += 1
                return None
            try:
                doc = pickle.loads(row.body)
            except Exception as exc:  # noqa: BLE001 - a stale or damaged row is only a miss
                log.warning("extraction cache: unreadable row for %s (%s); reading again", sha256[:12], exc)
                self.misses += 1
                return None
            conn.execute(update(extraction_cache).where(*where).values(hits=extraction_cache.c.hits + 1))
        self.hits += 1
        return doc.with_data(data)  # the bytes were left out of the row; the caller has them

    def put_many(self, items: list[tuple[str, Any, str, str | None, int]]) -> None:
        """(sha256, doc, name, declared, min_text_chars) rows in one transaction: one commit per
        folio instead of one per document (~1 ms each on SQLite)."""
        rows, now = [], datetime.now(UTC)
        for sha256, doc, name, declared, min_text_chars in items:
            try:
                body = pickle.dumps(doc.with_data(b""), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - an unpicklable parse result is just not cached
                log.warning("extraction cache: cannot keep %s (%s)", sha256[:12], exc)
                continue
            rows.append(
                dict(
                    sha256=sha256,
                    ruleset=self.ruleset,
                    body=body,
                    created_at=now,
                    hits=0,
                    reader=self._reader_key(name, declared, min_text_chars),
                )
            )
        if not rows:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(extraction_cache), rows)
        except IntegrityError:  # another run read some of the same bytes first: same results
            for row in rows:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(extraction_cache).values(**row))
                except IntegrityError:
                    pass

    def stats(self) -> dict[str, int]:
        """Rows and total hits stored, for operators and tests."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(func.count(), func.coalesce(func.sum(extraction_cache.c.hits), 0)).select_from(extraction_cache)
            ).one()
        return {"entries": int(row[0]), "hits": int(row[1])}


def reader_fingerprint(*parts: object) -> str:
    """A short digest of the reading context (e.g. trust-store and stamp-certificate paths)."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
