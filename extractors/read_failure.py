"""Why a file could not be read, as a kind rather than a message: the Spanish reason a claimant
reads (ReadDocument.unreadable) is made from it, and what callers decide (whether the result may
be cached, whether it is a property of the bytes) is decided on it, never on the words."""

from __future__ import annotations

from enum import StrEnum


class ReadFailure(StrEnum):
    UNREADABLE = "unreadable"  # the bytes cannot be opened (damaged, encrypted, empty...): the file's fault
    TIMEOUT = "timeout"  # over the wall-clock budget of a document
    CPU = "cpu"  # over the CPU budget (RLIMIT_CPU, SIGXCPU)
    MEMORY = "memory"  # over the memory budget (MemoryError in the reader)
    CRASH = "crash"  # the reader process died (a signal, an exit code)
    READER_ERROR = "reader_error"  # the reader raised on the bytes: a reader bug

    @property
    def overran(self) -> bool:
        """A budget or the reader gave out, not the bytes alone: a loaded machine may overrun where
        an idle one does not, so such a result is not cached."""
        return self is not ReadFailure.UNREADABLE
