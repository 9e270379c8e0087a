"""The folio manifest, `folio.json`, exactly as CONTRACT.md defines it.

Validation is strict (unknown fields are refused) so that a portal's typo is caught at the door
with a message naming the field, instead of silently disabling the rule that needed it."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .kinds import DocumentKind

RFC_PATTERN = r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$"
MANIFEST_NAME = "folio.json"
MAX_MANIFEST_BYTES = 1_000_000


class ClaimType(StrEnum):
    REEMBOLSO = "reembolso"
    PAGO_PROVEEDOR = "pago_proveedor"
    DATOS_FISCALES = "datos_fiscales"
    ALTA_CUENTA = "alta_cuenta"


class Stage(StrEnum):
    INITIAL = "initial"
    SUBSEQUENT = "subsequent"


class Relationship(StrEnum):
    TITULAR = "titular"
    CONYUGE = "conyuge"
    HIJO = "hijo"
    DEPENDIENTE = "dependiente"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Policy(_Strict):
    number: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


# Portals send RFCs in any case; SAT's are upper case.
Rfc = Annotated[str | None, BeforeValidator(_upper), Field(default=None, pattern=RFC_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Party(_Strict):
    name: Name
    rfc: Rfc


class Person(Party):
    email: str | None = Field(default=None, max_length=254)


class Patient(_Strict):
    name: Name
    relationship: Relationship = Relationship.TITULAR
    birth_date: date | None = None


class Provider(Person):
    care_order_account: str | None = Field(default=None, max_length=64)


class BankDeclaration(_Strict):
    clabe: str | None = Field(default=None, pattern=r"^\d{18}$")
    holder: str | None = Field(default=None, max_length=200)


class DeclaredDocument(_Strict):
    file: str = Field(min_length=1, max_length=255)
    declared_kind: DocumentKind | None = None


class FolioManifest(_Strict):
    folio: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    claim_type: ClaimType
    stage: Stage = Stage.INITIAL
    received_at: AwareDatetime
    insurer_rfc: str | None = Field(default=None, pattern=RFC_PATTERN)
    policy: Policy | None = None
    holder: Person | None = None
    contractor: Party | None = None
    patient: Patient | None = None
    provider: Provider | None = None
    portal: str | None = Field(default=None, max_length=64)
    service_country: str = Field(default="MX", pattern=r"^[A-Z]{2}$")
    bank: BankDeclaration | None = None
    bank_account_on_file: bool = False
    documents: list[DeclaredDocument] = Field(default_factory=list, max_length=500)

    def declared_kind(self, file_name: str) -> DocumentKind | None:
        for doc in self.documents:
            if doc.file == file_name:
                return doc.declared_kind
        return None

    @property
    def abroad(self) -> bool:
        return self.service_country != "MX"

    def intake_date(self, as_of: date | None = None) -> date:
        return as_of or self.received_at.date()


class ManifestError(ValueError):
    """`folio.json` is missing or invalid: the input itself is unusable (CLI exit 2)."""


def parse_manifest(raw: bytes, source: str = MANIFEST_NAME) -> FolioManifest:
    """Parse and validate `folio.json`, turning every failure into one message naming the field."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{source}: too large ({len(raw)} bytes; limit {MAX_MANIFEST_BYTES})")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{source}: not valid JSON ({exc})") from None
    except ValueError as exc:  # e.g. an integer beyond Python's 4,300-digit conversion limit
        raise ManifestError(f"{source}: unusable value ({exc})") from None
    except RecursionError:
        raise ManifestError(f"{source}: nested too deeply") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{source}: must be a JSON object, not {type(data).__name__}")
    try:
        return FolioManifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"{source}: {_first_error(exc)}") from None


def load_manifest(folio_dir: Path) -> FolioManifest:
    path = folio_dir / MANIFEST_NAME
    if not folio_dir.is_dir():
        raise ManifestError(f"{folio_dir}: no such folio directory")
    if not path.is_file():
        raise ManifestError(f"{path}: missing (every folio needs a folio.json)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_manifest(raw, str(path))


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(root)"
    more = exc.error_count() - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"field '{field}': {err['msg']}{suffix}"
