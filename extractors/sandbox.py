"""Per-document time and memory budgets for the read step (`extractors.read_document`).

Uploads come from the public internet, and the riskiest parsers (pdfium, Pillow's decoders,
tesseract) are C code that can spin, allocate gigabytes or crash on a crafted file. So every
PDF and image is read in a worker process (pebble's ProcessPool) that runs under
`RLIMIT_AS` (memory) and `RLIMIT_CPU` (CPU seconds, re-armed per document), with a wall-clock
timeout per document after which pebble kills the worker and starts a fresh one. A document
that overruns or kills its worker comes back as `ReadDocument(..., unreadable=reason, failure=kind)`, which
the validators turn into PKG-006 with that reason; the other documents are unaffected.

Small XML files are read in-process: the CFDI parser is strict (no DTD, no entities, no network,
libxml2's default depth and size limits, 4 MiB cap), so they cannot blow up, and in-process they
reuse the compiled SAT schemas (~300 MB and ~0.7 s to build, which a worker would pay again).

The pool is created once per process on first use and reused; workers come from a forkserver
that imported the PDF/image stack once, so replacing a killed worker costs a fork, not a Python
start-up. Nothing outlives the pipeline (processes/children.py): the forkserver exits when the
process that started it does, workers die with the forkserver (PR_SET_PDEATHSIG) and tesseract
with its worker, so neither the end nor a kill -9 of the pipeline leaves a reader behind.

Importing this module starts nothing: the first `read` creates the pool and registers `shutdown`
to run at exit (a safety net); entry points stop the pools explicitly when they are done
(application.services.shutdown). A failure is reported as a `ReadFailure` kind on the
ReadDocument, and the Spanish reason a claimant reads is made from that kind (`reason_es`)."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import pebble

import extractors
from domain.config import current_settings
from domain.kinds import DocumentKind

from . import preview as previews
from .ocr import OcrError, TesseractFailed
from .read_failure import ReadFailure

log = logging.getLogger("claim_intake.sandbox")

# The kinds' modules (extractors.kinds, and through them their readers) are added on first use.
_PRELOAD = [
    "processes.forkserver_tie",  # first: ties the forkserver to us before the slow imports
    "extractors.sandbox",
    "extractors",
    "extractors.loader",
    "extractors.classify",
    "extractors.visible_text",
    "extractors.key_fields",
    "extractors.preview",
]


@dataclass(frozen=True)
class Budget:
    """What one document may cost: wall seconds (per document, from when a worker takes it),
    address space in MB for the worker, and the XML size read in-process."""

    seconds: float = 60.0
    memory_mb: int = 1024
    inline_xml_bytes: int = 262_144

    @classmethod
    def from_thresholds(cls, thresholds) -> Budget:
        return cls(
            float(thresholds.read_timeout_s), int(thresholds.read_memory_mb), int(thresholds.read_inline_xml_bytes)
        )


@dataclass(frozen=True)
class ReadJob:
    """One file to read, as `extractors.read_document` takes it."""

    name: str
    data: bytes
    media_type: str
    declared: DocumentKind | None = None


# ------------------------------------------------------------------------------ worker side

_worker_trust: dict[tuple, object] = {}


def _init_worker(memory_mb: int) -> None:
    """Runs once in every worker: cap the address space, no core dumps, die with the parent."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from processes import children  # in the forked reader, before anything else it imports

    children.die_with_parent()
    forkserver = sys.modules.get("processes.forkserver_tie")
    if forkserver is not None and os.getppid() != forkserver.FORKSERVER_PID:
        os._exit(0)  # the forkserver died between our fork and the tie: nobody will use us
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _arm_cpu_limit(seconds: float) -> None:
    """RLIMIT_CPU counts a process's whole life, and workers are reused: allow `seconds` more
    than this worker has already used. Overrunning it sends SIGXCPU, which kills the worker."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _trust_from_spec(spec):
    if spec is None:
        return None
    store = _worker_trust.get(spec)
    if store is None:
        # in the reader, once per trust store: satcfdi and cryptography load where CFDIs are read
        from cryptography import x509

        from extractors.cfdi_xml import TrustStore

        name, ders = spec
        store = TrustStore.from_certificates(name, [x509.load_der_x509_certificate(d) for d in ders])
        _worker_trust[spec] = store
    return store


def _read_in_worker(
    job: ReadJob, min_text_chars: int, cpu_seconds: float, trust_spec, stamp_dir, cross_check: bool = False
):
    _arm_cpu_limit(cpu_seconds)
    stamps = None
    if stamp_dir is not None:
        from extractors.cfdi_xml import stamp_certificates_from_dir  # in the reader: satcfdi, as above

        stamps = stamp_certificates_from_dir(stamp_dir)
    doc = extractors.read_document(
        job.name,
        job.data,
        job.media_type,
        job.declared,
        min_text_chars=min_text_chars,
        trust_store=_trust_from_spec(trust_spec),
        stamp_certificates=stamps,
        cross_check=cross_check,
    )
    return doc.with_data(b"")  # the parent has the bytes: do not send a second copy back


# ------------------------------------------------------------------------------ parent side

_lock = threading.Lock()
_pools: dict[tuple[int, int], pebble.ProcessPool] = {}
_specs: dict[int, tuple[object, tuple]] = {}
_shutdown_registered = False


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD + extractors.kinds.kind_modules())
    return ctx


def default_workers() -> int:
    """CLAIM_INTAKE_READ_WORKERS, else one per CPU this process may use."""
    configured = current_settings().read_workers
    if configured:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pool(memory_mb: int, workers: int | None = None) -> pebble.ProcessPool:
    """The process's reader pool for this memory budget, created on first use and reused."""
    workers = workers or default_workers()
    key = (memory_mb, workers)
    with _lock:
        found = _pools.get(key)
        if found is not None and found.active:
            return found
        created = pebble.ProcessPool(
            max_workers=workers, initializer=_init_worker, initargs=(memory_mb,), context=_context()
        )
        global _shutdown_registered
        if not _shutdown_registered:  # with the first pool, not at import
            atexit.register(shutdown)
            _shutdown_registered = True
        _pools[key] = created
        return created


def shutdown() -> None:
    """Stop every pool (workers are killed, not waited for: their documents are abandoned)."""
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for each in pools:
        each.stop()
        each.join(timeout=10)


def _trust_spec(trust_store):
    """A TrustStore holds cryptography certificates, which do not pickle: send their DER bytes
    and rebuild the store once per worker."""
    if trust_store is None:
        return None
    held = _specs.get(id(trust_store))
    if held is None or held[0] is not trust_store:
        from cryptography.hazmat.primitives.serialization import Encoding  # only with a custom trust store

        ders = tuple(sorted(c.public_bytes(Encoding.DER) for certs in trust_store.by_subject.values() for c in certs))
        held = (trust_store, (trust_store.name, ders))
        _specs[id(trust_store)] = held
    return held[1]


def _stamp_dir(stamp_certificates) -> str | None:
    if stamp_certificates is None:
        return None
    return str(getattr(stamp_certificates, "directory", stamp_certificates))


def read_all(
    jobs: list[ReadJob],
    budget: Budget,
    *,
    min_text_chars: int = 40,
    trust_store=None,
    stamp_certificates=None,
    workers: int | None = None,
    cross_check: bool = False,
) -> dict[str, extractors.ReadDocument]:
    """Read every job within `budget`; name -> ReadDocument, in the order of `jobs`. Never raises
    for a document: an overrun, a crash or an exception of the reader is that document's
    `unreadable` reason."""
    out: dict[str, extractors.ReadDocument] = {}
    futures = {}
    for job in jobs:
        if job.media_type == extractors.sniff.XML and len(job.data) <= budget.inline_xml_bytes:
            continue
        spec = _trust_spec(trust_store) if job.media_type == extractors.sniff.XML else None
        futures[job.name] = pool(budget.memory_mb, workers).schedule(
            _read_in_worker,
            args=(job, min_text_chars, budget.seconds, spec, _stamp_dir(stamp_certificates), cross_check),
            timeout=budget.seconds,
        )
    for job in jobs:
        if job.name not in futures:
            out[job.name] = extractors.read_document(
                job.name,
                job.data,
                job.media_type,
                job.declared,
                min_text_chars=min_text_chars,
                trust_store=trust_store,
                stamp_certificates=stamp_certificates,
                cross_check=cross_check,
            )
    for job in jobs:
        if job.name in futures:
            out[job.name] = _collect(job, futures[job.name], budget)
    return {job.name: out[job.name] for job in jobs}


def _collect(job: ReadJob, future, budget: Budget) -> extractors.ReadDocument:
    detail: int | str | None = None  # the exit code or signal of a dead reader, the error's class
    try:
        return future.result().with_data(job.data)
    except FutureTimeout:
        failure = ReadFailure.TIMEOUT
    except MemoryError:
        failure = ReadFailure.MEMORY
    except pebble.ProcessExpired as exc:
        failure, detail = _death(exc.exitcode)
    except Exception as exc:
        remote = getattr(exc, "traceback", None)  # pebble's: the worker's traceback, as text
        if remote is None:  # the pool itself failed, not this document
            raise
        if isinstance(exc, OcrError) and not isinstance(exc, TesseractFailed):  # the installation, not the file
            raise
        # Raised by the reader inside the worker (pebble attaches the remote traceback): a reader
        # bug on hostile bytes must not stop the folio; the traceback names no personal data.
        log.error("sandbox: reader raised %s on a %s file:\n%s", type(exc).__name__, job.media_type, remote)
        failure, detail = ReadFailure.READER_ERROR, type(exc).__name__
    reason = reason_es(failure, budget, detail)
    log.warning("sandbox: %s (%s, %d bytes)", reason, job.media_type, len(job.data))
    kind = job.declared or DocumentKind.OTHER
    return extractors.ReadDocument(job.name, job.media_type, kind, unreadable=reason, failure=failure)


def _death(exitcode: int | None) -> tuple[ReadFailure, int | None]:
    """How a reader process died: over its CPU budget (SIGXCPU), or otherwise crashed."""
    if exitcode == -signal.SIGXCPU:
        return ReadFailure.CPU, exitcode
    return ReadFailure.CRASH, exitcode


def reason_es(failure: ReadFailure, budget: Budget, detail: int | str | None = None) -> str:
    """The reason a claimant reads in PKG-006 for a failure of the sandbox (docs/hardening.md)."""
    if failure is ReadFailure.TIMEOUT:
        return f"excede el tiempo de lectura de {budget.seconds:g} s"
    if failure is ReadFailure.CPU:
        return f"excede el tiempo de lectura de {budget.seconds:g} s (CPU)"
    if failure is ReadFailure.MEMORY:
        return f"excede la memoria de lectura de {budget.memory_mb} MB"
    if failure is ReadFailure.READER_ERROR:
        return f"error interno al leer el archivo ({detail})"
    if isinstance(detail, int) and -detail in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        # Under RLIMIT_AS a failed allocation inside C code usually ends as abort or segfault.
        return (
            f"el lector terminó abruptamente (señal {-detail}); "
            f"posible exceso de la memoria de lectura de {budget.memory_mb} MB"
        )
    return f"el lector terminó abruptamente (código {detail})"


def overran(doc: extractors.ReadDocument) -> bool:
    """The document hit a budget or killed its reader: not a property of its bytes alone (a
    loaded machine may overrun where an idle one does not), so it is not cached."""
    return doc.overran


def read(
    jobs: list[ReadJob], thresholds, *, trust_store=None, stamp_certificates=None
) -> dict[str, extractors.ReadDocument]:
    """The pipeline's entry point: `read_all` with the rule set's budgets, or a plain in-process
    read when CLAIM_INTAKE_READ_SANDBOX=false (debugging a reader under a debugger)."""
    if not jobs:
        return {}
    if not current_settings().read_sandbox:
        return {
            job.name: extractors.read_document(
                job.name,
                job.data,
                job.media_type,
                job.declared,
                min_text_chars=thresholds.min_text_chars,
                trust_store=trust_store,
                stamp_certificates=stamp_certificates,
                cross_check=thresholds.cross_check_key_fields,
            )
            for job in jobs
        }
    return read_all(
        jobs,
        Budget.from_thresholds(thresholds),
        min_text_chars=thresholds.min_text_chars,
        trust_store=trust_store,
        stamp_certificates=stamp_certificates,
        cross_check=thresholds.cross_check_key_fields,
    )


# ------------------------------------------------------------------------------ previews

PREVIEW_SECONDS = 10.0  # a person waits for the page: far less than a reader's budget


def _draw(data: bytes, media_type: str, page: int | None) -> tuple[bytes, int]:
    count = previews.page_count(data, media_type)
    return (b"" if page is None else previews.render_page(data, media_type, page)), count


def _preview_in_worker(data: bytes, media_type: str, page: int | None, cpu_seconds: float) -> tuple[bytes, int]:
    _arm_cpu_limit(cpu_seconds)
    return _draw(data, media_type, page)


def preview(data: bytes, media_type: str, page: int | None, budget: Budget) -> tuple[bytes, int] | None:
    """(PNG of page `page`, or b"" when `page` is None; the page count), drawn in a reader
    process of its own pool (one worker, the reader's memory cap, at most PREVIEW_SECONDS), or
    None when the bytes cannot be drawn there: damaged, over a budget, or the reader died. The
    console shows a placeholder for None; a hostile original costs one worker, never the API."""
    if not current_settings().read_sandbox:  # debugging only, as for reading
        try:
            return _draw(data, media_type, page)
        except previews.NoPreview:
            return None
    seconds = min(budget.seconds, PREVIEW_SECONDS)
    future = pool(budget.memory_mb, 1).schedule(
        _preview_in_worker, args=(data, media_type, page, seconds), timeout=seconds
    )
    try:
        return future.result()
    except previews.NoPreview:
        return None
    except (FutureTimeout, MemoryError, pebble.ProcessExpired) as exc:
        log.warning("sandbox: no preview (%s, %s, %d bytes)", type(exc).__name__, media_type, len(data))
        return None
    except Exception as exc:
        remote = getattr(exc, "traceback", None)  # pebble's: the worker's traceback, as text
        if remote is None:  # the pool itself failed, not this document
            raise
        log.error("sandbox: preview raised %s on a %s file:\n%s", type(exc).__name__, media_type, remote)
        return None
