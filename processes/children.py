"""Nothing outlives the command: every process the pipeline starts dies with the one that
started it, even when that one is killed with SIGKILL and runs no clean-up.

Three kinds of children, three ties (Linux; elsewhere they are no-ops):

- tesseract (extractors/ocr.py) and Prefect's ephemeral API server (uvicorn): the kernel's
  PR_SET_PDEATHSIG, set in the child between fork and exec (`popen_tie()`). It fires when the
  *thread* that forked the child ends, so it is only used where that thread outlives the child:
  `subprocess.run` waits for tesseract, and the CLI starts the Prefect server from its main
  thread (`claim_intake.ephemeral_server`).
- the reader pool's forkserver (extractors/sandbox.py): started by whichever thread first
  schedules a document, often a short-lived one, so PR_SET_PDEATHSIG would kill it with that
  thread. It watches its parent *process* instead, through a pidfd (`exit_with_parent()`,
  run by processes.forkserver_tie as the forkserver's first preload), and exits the moment
  the parent does, even while it is still importing the PDF stack (seconds on a busy machine,
  during which multiprocessing's own "parent closed the pipe" check is not yet listening).
- the reader workers, forked by the forkserver's only thread: PR_SET_PDEATHSIG (`die_with_parent()`
  in the pool's initialiser), so they die with the forkserver."""

from __future__ import annotations

import ctypes
import logging
import os
import select
import signal
import sys
import threading
from functools import lru_cache
from typing import Any

log = logging.getLogger("claim_intake.children")

PR_SET_PDEATHSIG = 1


@lru_cache(maxsize=1)
def _prctl():
    """libc's prctl, resolved once in the parent: between fork and exec the child must not
    import or look anything up (another thread may have held a lock at the fork)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


def die_with_parent() -> None:
    """In a child: SIGKILL as soon as the thread that forked it ends."""
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def popen_tie() -> dict[str, Any]:
    """Keyword arguments for subprocess.Popen/run that tie the child to the calling thread. The
    preexec function calls an already resolved C function and nothing else, so it is safe
    however many threads the parent runs."""
    prctl = _prctl()
    if prctl is None:
        return {}
    kill = int(signal.SIGKILL)
    return {"preexec_fn": lambda: prctl(PR_SET_PDEATHSIG, kill)}


def exit_with_parent() -> None:
    """In a child that may outlive the thread that started it: a daemon thread waits on a pidfd
    of the parent process and ends this process when the parent process ends (whatever thread
    started us). A parent already gone ends it at once."""
    parent = os.getppid()
    try:
        fd = os.pidfd_open(parent)
    except (AttributeError, OSError):
        # Not Linux >= 5.3. No thread-bound PR_SET_PDEATHSIG instead: it would kill the readers
        # whenever the thread that started them ends. multiprocessing's own check (the parent
        # closed its pipe) still ends the forkserver once it has finished importing.
        return
    if os.getppid() != parent:  # died (and we were re-parented) before the pidfd was opened
        os._exit(0)

    def wait() -> None:
        select.select([fd], [], [])
        os._exit(0)

    threading.Thread(target=wait, name="exit-with-parent", daemon=True).start()
