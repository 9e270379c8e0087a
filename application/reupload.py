"""Re-upload: new or corrected documents for a folio already processed. They are stored first,
then the whole folio is laid out again for the intake to re-evaluate (files read before come
from the extraction cache)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from domain.folio import MANIFEST_NAME
from storage import BlobCorrupted, Storage

from .folio_dir import IncomingFile, InputError, display_name
from .originals import store_file


def add_files(folio: str, new_files: list[Path], storage: Storage, dest: Path) -> Path:
    """Store the new files first (content-addressed, recorded against the folio), then lay the
    folio out again in `dest` (folio.json from storage and the newest version of every file, old
    and new, from the blob store) for the intake flow to re-evaluate as a whole. Raises
    InputError naming the folio or the file when something is unusable."""
    stored_manifest = storage.state.manifest(folio)
    if stored_manifest is None:
        raise InputError(f"folio {folio}: unknown (process it first with `claim-intake process`)")
    incoming = [_new_file(Path(path)) for path in new_files]
    # Stored before anything else happens, streamed (a re-upload is never held whole); like a
    # folio's files, never through a link.
    facts = [(f.name, f.sha256, f.size, f.media_type) for f in (store_file(item, storage) for item in incoming)]
    storage.state.record_files(folio, facts)
    newest: dict[str, str] = {}
    for row in storage.state.files(folio):  # oldest first: a later upload of a name wins
        newest[row["name"]] = row["sha256"]
    for name, digest, _, _ in facts:
        newest[name] = digest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / MANIFEST_NAME).write_text(json.dumps(stored_manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    for name, digest in newest.items():
        try:  # streamed: a large original is never held
            storage.blobs.copy_to(digest, dest / name)
        except (OSError, ValueError, BlobCorrupted) as exc:
            raise InputError(f"folio {folio}: stored original {name} ({digest[:12]}) unreadable: {exc}") from None
    return dest


def _new_file(path: Path) -> IncomingFile:
    if path.name == MANIFEST_NAME:
        raise InputError(f"{path}: folio.json cannot be re-uploaded; only documents")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return IncomingFile(display_name(path.name), path=path)
