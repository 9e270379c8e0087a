"""What the intake API accepted into a folio, read by the worker that takes it in: the manifest
(the `folios` row), the files as accepted now (one row per name, the newest version: a file sent
again under its name replaced the earlier one) and the number of the upload this covers.

One consistent read: the API registers an upload (files, counter, upload number) in one
transaction with the folio's counter row locked (api/store.py). Here that row is read FOR SHARE
on PostgreSQL first, so no upload can commit between the reads that follow; SQLite's read
transaction sees one snapshot anyway."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select

from .schema import api_folios, api_upload_files, api_upload_totals, folios


class AcceptedFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    size: int
    sha256: str


class AcceptedUpload(BaseModel):
    """A folio as the API holds it after its `upload`-th accepted upload."""

    model_config = ConfigDict(frozen=True)

    folio: str
    manifest: dict
    files: list[AcceptedFile]  # sorted by name, as a folio directory is read
    upload: int


def read_accepted(engine: Engine, folio: str) -> AcceptedUpload | None:
    """None when the API has accepted nothing under this id."""
    with engine.begin() as conn:
        lock = select(api_upload_totals.c.folio).where(api_upload_totals.c.folio == folio)
        if conn.dialect.name == "postgresql":
            lock = lock.with_for_update(read=True)
        if conn.execute(lock).first() is None:
            return None
        row = conn.execute(
            select(folios.c.manifest, api_folios.c.uploads)
            .join(api_folios, api_folios.c.folio == folios.c.folio)
            .where(folios.c.folio == folio)
        ).first()
        if row is None:
            return None
        files = conn.execute(
            select(api_upload_files.c.name, api_upload_files.c.size, api_upload_files.c.sha256).where(
                api_upload_files.c.folio == folio
            )
        )
        # sorted here, by code point as a directory listing is: a database collation may differ
        accepted = sorted((AcceptedFile(name=f.name, size=f.size, sha256=f.sha256) for f in files), key=_name)
    return AcceptedUpload(folio=folio, manifest=row.manifest, files=accepted, upload=row.uploads)


def _name(f: AcceptedFile) -> str:
    return f.name
