"""A folio directory as sent, read without trusting it: nothing is followed (no link, no FIFO
opened), and a folio over a folio-wide limit is not read into memory at all."""

from __future__ import annotations

import errno
import logging
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from domain.config import Thresholds
from domain.folio import MANIFEST_NAME, ManifestError

log = logging.getLogger("claim_intake.pipeline")


class InputError(ManifestError):
    """The folio directory itself is unusable (CLI exit 2): missing, unreadable, no folio.json."""


@dataclass(frozen=True)
class IncomingFile:
    """One entry of a folio directory as found there. `data` is None when the entry is not read
    into memory: a regular file of a folio over a folio-wide limit (stored by streaming it from
    `path`), or an entry that is not a regular file at all (`entry`, e.g. "inode/symlink": never
    opened, never followed)."""

    name: str  # as shown: bytes that are not UTF-8 escaped (\xe9)
    data: bytes | None = field(default=None, repr=False)
    path: Path | None = None
    size: int = 0
    entry: str | None = None  # media type of what is not a regular file (inode/symlink, inode/fifo, ...)


_ENTRY_TYPES = (
    (stat.S_ISLNK, "inode/symlink"),
    (stat.S_ISDIR, "inode/directory"),
    (stat.S_ISFIFO, "inode/fifo"),
    (stat.S_ISSOCK, "inode/socket"),
    (stat.S_ISCHR, "inode/chardevice"),
    (stat.S_ISBLK, "inode/blockdevice"),
)
_NOFOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def display_name(name: str) -> str:
    """A file name as the answer, the database and the logs show it: bytes that are not UTF-8
    (os.listdir hands them over as lone surrogates, which no encoder accepts) become `\\xe9`."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_folio_dir(folio_dir: Path, limits: Thresholds | None = None) -> tuple[bytes, list[IncomingFile]]:
    """The manifest's bytes and every entry beside it, nothing parsed. Nothing is followed:
    folio.json must be a regular file, and an entry that is not one (link, FIFO, directory) is
    returned as such without being opened. Every entry is lstat'ed first: when the folio breaks
    a folio-wide limit (`limits`: PKG-004, PKG-005; default the rule set's defaults) no file is
    read into memory, they are stored by streaming and the folio is refused whole."""
    folio_dir = Path(folio_dir)
    if not folio_dir.is_dir():
        raise InputError(f"{folio_dir}: no such folio directory")
    manifest = _read_regular(folio_dir / MANIFEST_NAME, missing="missing (every folio needs a folio.json)")
    try:
        names = sorted(n for n in os.listdir(folio_dir) if n != MANIFEST_NAME)
    except OSError as exc:
        raise InputError(f"{folio_dir}: cannot be listed ({exc.strerror or exc})") from None
    entries = [_entry(folio_dir / name) for name in names]
    limits = limits or Thresholds()
    if len(entries) > limits.max_files or sum(e.size for e in entries) > limits.max_bytes:
        return manifest, entries  # streamed by store_originals, never held
    return manifest, [replace(e, data=_read_regular(e.path)) if e.entry is None and e.path else e for e in entries]


def _entry(path: Path) -> IncomingFile:
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise InputError(f"{display_name(str(path))}: cannot be read ({exc.strerror or exc})") from None
    name = display_name(path.name)
    if stat.S_ISREG(info.st_mode):
        return IncomingFile(name, path=path, size=info.st_size)
    entry = next((kind for test, kind in _ENTRY_TYPES if test(info.st_mode)), "inode/unknown")
    log.warning("%s: %s, not opened", name, entry)
    return IncomingFile(name, path=path, entry=entry)


def open_regular(path: Path, missing: str = "no such file") -> BinaryIO:
    """A binary file object for `path`, never through a symbolic link, never blocking on a
    FIFO, and only if it is a regular file; otherwise InputError naming the path and why."""
    shown = display_name(str(path))
    try:
        fd = os.open(path, _NOFOLLOW)
    except FileNotFoundError:
        raise InputError(f"{shown}: {missing}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{shown}: is a symbolic link; links are not followed, send the file itself") from None
        raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise InputError(f"{shown}: not a regular file")
    return handle


def _read_regular(path: Path, missing: str = "no such file") -> bytes:
    with open_regular(path, missing) as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise InputError(f"{display_name(str(path))}: cannot be read ({exc.strerror or exc})") from None
