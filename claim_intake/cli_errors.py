"""What the command line says when a run fails for a reason the operator can fix.

The exit code follows the branch of domain.errors an error is on (`exit_code`). An unusable
input (exit 2) and a home that cannot be written (disk full, read-only, not a
directory: exit 1) each get one line saying what, where and what to do. Prefect logs a failed
task or flow run with its traceback on the console as it happens; for these two kinds that is
noise that buries the one line (and, for a database error, used to repeat the statement's
parameters), so the CLI holds Prefect's run errors back while a folio runs and prints them only
when the failure is a bug. The Prefect server still gets every log line (its own handler)."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from domain.errors import InputError

EXIT_INPUT = 2  # the folio as sent is unusable: fix it and send it again
EXIT_FAILURE = 1  # anything else: a home that cannot be written, a service down, a bug
# OS errors that mean "this place cannot be written", whoever hit them.
_UNWRITABLE = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOTDIR,
        errno.EEXIST,
        errno.EISDIR,
    }
)
# What SQLite says for the same conditions (sqlite3.OperationalError, wrapped by SQLAlchemy).
_SQLITE_UNWRITABLE = ("database or disk is full", "readonly database", "unable to open database file", "disk i/o error")
_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def exit_code(exc: BaseException) -> int:
    """The command's exit code for a failure: 2 for any InputError (manifest errors, an unusable
    folio directory, a folio id already taken), 1 for every other branch and for bugs."""
    return EXIT_INPUT if isinstance(exc, InputError) else EXIT_FAILURE


def home_failure(exc: BaseException, home: Path) -> str | None:
    """Why `home` cannot be written, when that is what `exc` (or what caused it) says; None when
    the failure is something else. An OS error about a file outside `home` is not the home's."""
    home = Path(home).resolve()
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        reason = _unwritable_reason(cause, home)
        if reason:
            return reason
        cause = cause.__cause__ or cause.__context__ or getattr(cause, "orig", None)
    return None


def _unwritable_reason(exc: BaseException, home: Path) -> str | None:
    if isinstance(exc, OSError) and exc.errno in _UNWRITABLE:
        if exc.filename and not _inside(Path(str(exc.filename)), home):
            return None
        return exc.strerror or str(exc)
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).lower()
    if type(exc).__name__ == "OperationalError" or type(orig).__name__ == "OperationalError":
        for phrase in _SQLITE_UNWRITABLE:
            if phrase in text:
                return phrase
    return None


def _inside(path: Path, home: Path) -> bool:
    try:
        path.resolve().relative_to(home)
        return True
    except (ValueError, OSError):
        return False


def quiet_exit() -> None:
    """Before an exit on a one-line error: Prefect's event worker otherwise adds "Still processing
    items" while it drains at interpreter exit (the events still go out)."""
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)


def home_failure_line(home: Path, reason: str) -> str:
    return printable(
        f"claim-intake: cannot write to {Path(home).resolve()}: {reason}; free space or set CLAIM_INTAKE_HOME"
    )


def printable(text: str) -> str:
    """`text` with bytes that are not UTF-8 (lone surrogates from argv or os.listdir) shown as
    `\\xe9`: printing or JSON-encoding them would otherwise fail with UnicodeEncodeError."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name produces
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _HeldRunErrors(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.held: list[logging.LogRecord] = []
        self.handlers: list[logging.Handler] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.name.startswith(_RUN_LOGGERS):
            if not any(record is seen for seen in self.held):  # each console handler asks
                self.held.append(record)
            return False
        return True

    def release(self) -> None:
        """Print what was held (the failure is a bug: its traceback helps)."""
        for handler in self.handlers:
            handler.removeFilter(self)
        for record in self.held:
            for handler in self.handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)
        self.held.clear()


@contextmanager
def held_run_errors() -> Iterator[_HeldRunErrors]:
    """Prefect's flow- and task-run errors kept off the console while the block runs. When it
    ends normally they are printed; when it raises they are dropped unless the caller calls
    `release()` (a bug) first."""
    import prefect.main  # noqa: F401 - configures Prefect's logging, console handler included

    held = _HeldRunErrors()
    held.handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
    ]
    for handler in held.handlers:
        handler.addFilter(held)
    try:
        yield held
    except BaseException:  # the caller said it in one line, or released them for a bug
        for handler in held.handlers:
            handler.removeFilter(held)
        raise
    held.release()  # the runs succeeded: an error inside one (a notice not sent) is still shown
