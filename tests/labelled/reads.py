"""The labelled set read once per test session (OCR is the slow part), shared by the
classification and key-field tests. Documents are read two at a time: each OCR page is its own
tesseract process, so this keeps the CPUs busy without oversubscribing them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import extractors
from extractors.sniff import sniff_media_type

from .generate import Item, labelled_set


@lru_cache(maxsize=1)
def read_labelled() -> tuple[tuple[Item, extractors.ReadDocument], ...]:
    items = labelled_set()

    def read(item: Item) -> extractors.ReadDocument:
        return extractors.read_document(item.name, item.data, sniff_media_type(item.data))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return tuple(zip(items, pool.map(read, items), strict=True))
