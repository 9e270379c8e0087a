"""Request and response bodies of the intake API, so the OpenAPI document says exactly what is
sent and returned (schemathesis checks the server against it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class FileInfo(BaseModel):
    name: str
    size: int
    sha256: str


class Accepted(BaseModel):
    folio: str
    upload: int = Field(description="n-th accepted upload of this folio (1 = creation)")
    files: list[FileInfo]
    total_bytes: int


class FolioStatus(BaseModel):
    folio: str
    status: str = Field(description="'received' until the first decision, then its route")
    queue: str | None
    claimed_by: str | None = None
    flow_run: str | None = None
    decisions: list[dict[str, Any]] = Field(description="CONTRACT.md decision objects, oldest first")


class QueueEntry(BaseModel):
    folio: str
    entered_at: datetime
    claimed_by: str | None
    claim_type: str


class ClaimRequest(BaseModel):
    adjudicator: str = Field(min_length=1, max_length=128)


class ClaimResult(BaseModel):
    folio: str | None = Field(description="the folio now held by the adjudicator; null if the queue is empty")


class ReleaseRequest(BaseModel):
    folio: str = Field(min_length=1, max_length=64)
    adjudicator: str = Field(min_length=1, max_length=128)


class ReleaseResult(BaseModel):
    released: bool


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 415, 422)}

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "manifest": {"type": "string", "format": "binary", "description": "folio.json (CONTRACT.md)"},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "the documents, each named by its file name; ≤ 50 files, ≤ 50 MiB",
                        },
                    },
                }
            }
        },
    }
}
