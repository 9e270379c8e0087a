"""The labelled set read once per test session (OCR is the slow part), shared by the
classification and key-field tests. Documents are read two at a time, in two processes: pdfium
is not thread-safe (two threads reading PDFs crashed the interpreter with a segmentation fault),
and each OCR page is its own tesseract process, so this keeps the CPUs busy without
oversubscribing them."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

import extractors
from extractors.sniff import sniff_media_type

from .generate import Item, labelled_set


def _read_one(name_and_data: tuple[str, bytes]) -> extractors.ReadDocument:
    name, data = name_and_data
    return extractors.read_document(name, data, sniff_media_type(data))


def read_in_processes(documents: Iterable[tuple[str, bytes]]) -> list[extractors.ReadDocument]:
    """Each (name, bytes) read as the pipeline reads it, two processes at a time, in order."""
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_read_one, documents))


@lru_cache(maxsize=1)
def read_labelled() -> tuple[tuple[Item, extractors.ReadDocument], ...]:
    items = labelled_set()
    return tuple(zip(items, read_in_processes((i.name, i.data) for i in items), strict=True))
