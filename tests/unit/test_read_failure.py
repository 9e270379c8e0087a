"""Read failures are kinds (extractors.ReadFailure), not message prefixes: the sandbox maps each
way a reader can fail to a kind, the claimant's reason is made from the kind with the same words
as before (docs/hardening.md), and only the kind decides whether a result may be cached."""

from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pebble
import pytest

from domain.kinds import DocumentKind
from extractors import ReadDocument, ReadFailure, read_document, sandbox
from extractors.ocr import OcrError, TesseractFailed

BUDGET = sandbox.Budget(seconds=60, memory_mb=1024)
JOB = sandbox.ReadJob("estado.pdf", b"%PDF-1.4 ...", "application/pdf", DocumentKind.BANK_STATEMENT)
ROOT = Path(__file__).resolve().parents[2]


def failed(exc: BaseException) -> ReadDocument:
    future: Future = Future()
    future.set_exception(exc)
    return sandbox._collect(JOB, future, BUDGET)


def from_the_reader(exc: Exception) -> Exception:
    exc.traceback = "Traceback (most recent call last): ..."  # as pebble marks a worker's exception
    return exc


@pytest.mark.parametrize(
    ("exc", "kind", "reason"),
    [
        (FutureTimeout(), ReadFailure.TIMEOUT, "excede el tiempo de lectura de 60 s"),
        (MemoryError(), ReadFailure.MEMORY, "excede la memoria de lectura de 1024 MB"),
        (pebble.ProcessExpired("died", -signal.SIGXCPU), ReadFailure.CPU, "excede el tiempo de lectura de 60 s (CPU)"),
        (
            pebble.ProcessExpired("died", -signal.SIGABRT),
            ReadFailure.CRASH,
            "el lector terminó abruptamente (señal 6); posible exceso de la memoria de lectura de 1024 MB",
        ),
        (pebble.ProcessExpired("died", 3), ReadFailure.CRASH, "el lector terminó abruptamente (código 3)"),
        (from_the_reader(KeyError("x")), ReadFailure.READER_ERROR, "error interno al leer el archivo (KeyError)"),
        (
            from_the_reader(TesseractFailed("gave up")),
            ReadFailure.READER_ERROR,
            "error interno al leer el archivo (TesseractFailed)",
        ),
    ],
)
def test_each_way_a_reader_fails_is_a_kind_with_the_same_reason(exc, kind, reason):
    doc = failed(exc)
    assert (doc.failure, doc.unreadable) == (kind, reason)
    assert doc.kind is DocumentKind.BANK_STATEMENT and doc.overran and sandbox.overran(doc)


def test_a_missing_tesseract_is_the_installation_not_the_file():
    with pytest.raises(OcrError, match="not found"):
        failed(from_the_reader(OcrError("tesseract not found (tesseract)")))


def test_the_pool_failing_is_not_a_document_failure():
    with pytest.raises(RuntimeError):
        failed(RuntimeError("pool broken"))  # no remote traceback: not raised by a reader


def test_bytes_that_cannot_be_opened_are_unreadable_and_may_be_cached():
    doc = read_document("roto.pdf", b"%PDF-1.4 not really", "application/pdf")
    assert doc.failure is ReadFailure.UNREADABLE and doc.unreadable and not doc.overran
    assert ReadDocument("x.pdf", "application/pdf", DocumentKind.OTHER, unreadable="dañado").failure is (
        ReadFailure.UNREADABLE
    )
    assert ReadDocument("x.pdf", "application/pdf", DocumentKind.OTHER).failure is None


def test_importing_the_sandbox_starts_nothing():
    """No pool, no exit hook at import: they come with the first read, and go with the explicit
    shutdown entry points call (application.services.shutdown)."""
    code = (
        "import atexit, pebble, extractors\n"
        "before = atexit._ncallbacks()\n"
        "from extractors import sandbox\n"
        "import application.services\n"
        "assert sandbox._pools == {} and not sandbox._shutdown_registered, 'pool at import'\n"
        "assert atexit._ncallbacks() == before, 'exit hook at import'\n"
        "job = sandbox.ReadJob('x.pdf', b'%PDF-1.4 truncated', 'application/pdf')\n"
        "sandbox.read_all([job], sandbox.Budget(30, 512), workers=1)\n"
        "assert sandbox._pools and sandbox._shutdown_registered, 'the first read starts the pool and its exit hook'\n"
        "application.services.shutdown()\n"
        "assert sandbox._pools == {}, 'shutdown stops it'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
