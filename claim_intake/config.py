"""Configuration: deployment settings from the environment and the rule set from a file.

Settings (`CLAIM_INTAKE_*`) say where things live and which services to call; the rule set says
what the business accepts. Both are validated when loaded, so a typo fails at start-up with the
field's name rather than as a wrong routing later."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .kinds import DocumentKind

INVOICE = "invoice"  # requirement-table alias: cfdi_xml in Mexico, foreign_invoice abroad
RequiredKind = DocumentKind | Literal["invoice"]


class Condition(StrEnum):
    PHARMACY_INVOICE = "pharmacy_invoice"
    NO_BANK_ACCOUNT_ON_FILE = "no_bank_account_on_file"
    ADULT_CHILD_DEPENDENT = "adult_child_dependent"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Frozen):
    csf_max_age_days: int = Field(30, ge=0)
    statement_max_age_months: int = Field(3, ge=0)
    max_files: int = Field(50, ge=1)
    max_bytes: int = Field(52_428_800, ge=1)
    max_invoices: int = Field(5, ge=1)
    ocr_min_confidence: float = Field(60, ge=0, le=100)
    min_text_chars: int = Field(40, ge=0)
    invoice_max_age_years: int = Field(2, ge=0)
    dependent_student_age: int = Field(19, ge=0)
    cfdi33_accepted_before: date = date(2023, 4, 1)
    sat_retry_budget_hours: float = Field(72, ge=0)


class ConditionalRequirement(_Frozen):
    kinds: list[RequiredKind] = Field(min_length=1)
    when: Condition


class Requirement(_Frozen):
    required: list[RequiredKind] = Field(default_factory=list)
    conditional: list[ConditionalRequirement] = Field(default_factory=list)


class StageRequirements(_Frozen):
    initial: Requirement
    subsequent: Requirement


class Ruleset(_Frozen):
    version: str = Field(min_length=1)
    insurer_rfcs: list[str] = Field(min_length=1)
    thresholds: Thresholds = Thresholds()
    honorifics: list[str] = Field(default_factory=list)
    excluded_countries: list[str] = Field(default_factory=list)
    holder_invoice_families: dict[str, list[str]] = Field(default_factory=dict)
    xml_name_patterns: list[str] = Field(default_factory=list)
    requirements: dict[Literal["reembolso", "pago_proveedor", "datos_fiscales", "alta_cuenta"], StageRequirements]

    @field_validator("insurer_rfcs", "honorifics", "excluded_countries")
    @classmethod
    def _upper(cls, v: list[str]) -> list[str]:
        return [x.upper() for x in v]

    def requirement(self, claim_type: str, stage: str) -> Requirement:
        return getattr(self.requirements[claim_type], stage)

    @property
    def holder_prefixes(self) -> tuple[str, ...]:
        return tuple(p for family in self.holder_invoice_families.values() for p in family)

    @property
    def pharmacy_prefixes(self) -> tuple[str, ...]:
        return tuple(self.holder_invoice_families.get("pharmacy", []))


class ConfigError(ValueError):
    """The configuration file or environment is invalid."""


class Settings(BaseSettings):
    """Deployment settings. Every field can be set as `CLAIM_INTAKE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="CLAIM_INTAKE_", extra="ignore")

    home: Path = Path(".claim-intake")
    ruleset_file: Path | None = None  # default: the packaged defaults/ruleset.yaml
    database_url: str | None = None  # default: SQLite under home
    sat_status_url: str = "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc"
    sat_csf_url: str = "https://siat.sat.gob.mx/app/qr/faces/pages/mobile/validadorqr.jsf"
    efos_list: str | None = None
    sat_timeout_s: float = Field(10, gt=0)
    # CFDI-021: directory of CA certificates an issuer's certificate must chain to. Default: SAT's
    # production CAs shipped inside satcfdi. Tests point it at the samples' own test CA.
    cfdi_trust_store: Path | None = None

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'state.sqlite').resolve()}"

    def load_ruleset(self) -> Ruleset:
        return load_ruleset(self.ruleset_file)


def load_ruleset(path: Path | None = None) -> Ruleset:
    if path is None:
        raw = files("claim_intake").joinpath("defaults/ruleset.yaml").read_text("utf-8")
        source = "defaults/ruleset.yaml"
    else:
        try:
            raw = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
        source = str(path)
    try:
        data = yaml.safe_load(raw)
        return Ruleset.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{source}: field '{field}': {err['msg']}") from None


@lru_cache(maxsize=1)
def default_ruleset() -> Ruleset:
    return load_ruleset(None)
