"""An operator's re-upload or re-run from the console: documents sent on the claimant's behalf
are staged, then the folio goes to the intake flow exactly as the other entry points send it.

- A folio a portal created (it has an inbox directory, api/app.py) gets the files in that
  directory and the directory is evaluated again, as a portal's `POST /folios/{id}/files`
  does: its next portal upload then still sees them.
- Any other folio (the command line's) is laid out again from storage by the re-upload use
  case (application.reupload.add_files), as `claim-intake add` does; add_files raises
  InputError for an unknown folio or an unusable file.

Either way the dispatcher starts the intake flow; the console never reads, validates or
decides anything itself. The decision is appended when the run ends; the folio page shows it."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from application.reupload import add_files

from ..trigger import Job


def _unique_upload() -> int:
    """An upload number for the run's idempotency key that no portal upload (1, 2, …) and no
    earlier console submission of the folio can share: milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def resubmit(ctx: dict, folio: str, staged: list[Path]) -> Path:
    """Hand `folio` with the `staged` files (none: a re-run) to the intake flow; the directory
    that will be evaluated is returned. Raises InputError for an unknown folio or file."""
    inbox_dir = ctx["api"].folio_dir(folio)
    if inbox_dir is not None:
        target = Path(inbox_dir)
        for path in staged:
            os.replace(path, target / path.name)
    else:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in folio)
        home = ctx["inbox"].parent
        target = add_files(
            folio, staged, ctx["storage"], home / "reevaluate" / "console" / f"{safe}-{uuid.uuid4().hex}"
        )
    ctx["dispatcher"].submit(Job(folio, str(target), _unique_upload()))
    return target


def staging_dir(ctx: dict) -> Path:
    path = ctx["inbox"] / ".staging" / f"console-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    return path


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
