"""The folio manifest, `folio.json`, exactly as CONTRACT.md defines it.

Validation is strict (unknown fields are refused) so that a portal's typo is caught at the door
with a message naming the field, instead of silently disabling the rule that needed it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import InputError
from .kinds import DocumentKind

RFC_PATTERN = r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$"
MANIFEST_NAME = "folio.json"
MAX_MANIFEST_BYTES = 1_000_000
# How far ahead of this machine's clock an intake date may be: time zones and skewed portal
# clocks account for hours, never for days.
FUTURE_TOLERANCE = timedelta(days=1)


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


class ManifestError(InputError, ValueError):
    """`folio.json` is missing or invalid: the input itself is unusable (CLI exit 2)."""


class _DuplicateKey(InputError):
    """Not a ValueError, so that json.loads' callers below do not mistake it for bad syntax."""


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """json.loads keeps the last of two equal keys; which one a portal meant is unknowable, and
    each reader of the same file could pick differently: refused, at any depth."""
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def parse_manifest(raw: bytes, source: str = MANIFEST_NAME, now: datetime | None = None) -> FolioManifest:
    """Parse and validate `folio.json`, turning every failure into one message naming the field.
    `now` (default: this machine's clock) is what an intake date may not be far after: reading
    the clock belongs here, at the door, never in a rule."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{source}: too large ({len(raw)} bytes; limit {MAX_MANIFEST_BYTES})")
    try:
        data = json.loads(raw, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey as exc:
        raise ManifestError(f"{source}: field '{exc.args[0]}' appears twice; send each field once") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{source}: not valid JSON ({exc})") from None
    except ValueError as exc:  # e.g. an integer beyond Python's 4,300-digit conversion limit
        raise ManifestError(f"{source}: unusable value ({exc})") from None
    except RecursionError:
        raise ManifestError(f"{source}: nested too deeply") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{source}: must be a JSON object, not {type(data).__name__}")
    try:
        manifest = FolioManifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"{source}: {_first_error(exc)}") from None
    now = now or datetime.now(UTC)
    if manifest.received_at > now + FUTURE_TOLERANCE:
        raise ManifestError(
            f"{source}: field 'received_at': {manifest.received_at.isoformat()} is in the future "
            f"(now {now.isoformat(timespec='seconds')}); send the date the claim was received"
        )
    return manifest


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(root)"
    more = exc.error_count() - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"field '{field}': {err['msg']}{suffix}"
