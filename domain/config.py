"""Configuration: deployment settings from the environment and the rule set from a file.

Settings (`CLAIM_INTAKE_*`) say where things live and which services to call; the rule set says
what the business accepts. Both are validated when loaded, so a typo fails at start-up with the
field's name rather than as a wrong routing later."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import ClassVar, Literal, Self, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError
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
    # Per-document read budgets (extractors/sandbox.py): an overrun is PKG-006 with the reason.
    read_timeout_s: float = Field(60, gt=0)  # wall seconds per document in a reader process
    read_memory_mb: int = Field(1024, ge=128)  # address space of a reader process (RLIMIT_AS)
    read_inline_xml_bytes: int = Field(262_144, ge=0)  # smaller XML is parsed in-process (strict parser)
    # PKG-009: OCR the printed region of each key field of digital CSFs, bank statements and
    # invoice PDFs and compare it with the text layer (extractors/key_fields.py). One tesseract
    # run per such document (~100-150 ms CPU): off by default, see docs/ocr.md.
    cross_check_key_fields: bool = False


class RegimeRetention(_Frozen):
    """ISR an issuer of one regime must have withheld, as a fraction of SubTotal − Descuento."""

    isr: Decimal = Field(ge=0, lt=1)  # without the Jalisco cedular
    isr_with_cedular: Decimal = Field(ge=0, lt=1)  # when the invoice carries (or must carry) the cedular
    label: str | None = None  # how the message names the regime


def _default_isr_by_regime() -> dict[str, RegimeRetention]:
    return {
        "612": RegimeRetention(
            isr=Decimal("0.10"),
            isr_with_cedular=Decimal("0.10"),
            label="persona física con actividad profesional (612)",
        ),
        "626": RegimeRetention(isr=Decimal("0.0125"), isr_with_cedular=Decimal("0.025"), label="RESICO (626)"),
    }


class RetentionRules(_Frozen):
    """CFDI-019 (002_… Q9): the retention table. Personas morales (12-character RFC) withhold
    nothing whatever their regime; a persona física whose regime is not listed is not checked."""

    isr_by_regime: dict[str, RegimeRetention] = Field(default_factory=_default_isr_by_regime)
    cedular_rate: Decimal = Field(Decimal("0.03"), ge=0, lt=1)
    # When true, an issuer whose LugarExpedicion falls in `cedular_postal_codes` (Jalisco) must
    # withhold the cedular; when false, the cedular is checked only when the invoice carries it.
    cedular_required: bool = False
    cedular_postal_codes: list[tuple[str, str]] = Field(default_factory=lambda: [("44000", "49999")])

    @field_validator("isr_by_regime")
    @classmethod
    def _regime_codes(cls, v: dict[str, RegimeRetention]) -> dict[str, RegimeRetention]:
        for code in v:
            if not (len(code) == 3 and code.isdigit()):
                raise ValueError(f"regime '{code}' is not a 3-digit c_RegimenFiscal code")
        return v

    @field_validator("cedular_postal_codes")
    @classmethod
    def _ranges(cls, v: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for low, high in v:
            if not (len(low) == len(high) == 5 and low.isdigit() and high.isdigit() and low <= high):
                raise ValueError(f"postal-code range [{low}, {high}] must be two 5-digit codes, low <= high")
        return v

    def cedular_applies(self, postal_code: str | None) -> bool:
        """The issuer's place of issue is in a cedular state (Jalisco by default)."""
        code = (postal_code or "").strip()
        return len(code) == 5 and code.isdigit() and any(low <= code <= high for low, high in self.cedular_postal_codes)


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
    legal_forms: list[str] = Field(default_factory=list)  # company suffixes dropped from names (RULES.md)
    excluded_countries: list[str] = Field(default_factory=list)
    holder_invoice_families: dict[str, list[str]] = Field(default_factory=dict)
    xml_name_patterns: list[str] = Field(default_factory=list)
    cfdi_retention: RetentionRules = RetentionRules()  # CFDI-019
    unsigned_form_outcome: Literal["warn", "reject"] = "warn"  # FORM-001
    requirements: dict[Literal["reembolso", "pago_proveedor", "datos_fiscales", "alta_cuenta"], StageRequirements]

    @field_validator("insurer_rfcs", "honorifics", "legal_forms", "excluded_countries")
    @classmethod
    def _upper(cls, v: list[str]) -> list[str]:
        return [x.upper() for x in v]

    @field_validator("legal_forms")
    @classmethod
    def _spelt(cls, v: list[str]) -> list[str]:
        for form in v:
            if not any(c.isalnum() for c in form):
                raise ValueError(f"legal form {form!r} has no letters")
        return v

    def requirement(self, claim_type: str, stage: str) -> Requirement:
        # a ClaimType member is a str enum whose values are exactly the keys' literals
        by_stage = self.requirements[claim_type]  # type: ignore[index]
        requirement: Requirement = getattr(by_stage, stage)
        return requirement

    @property
    def holder_prefixes(self) -> tuple[str, ...]:
        return tuple(p for family in self.holder_invoice_families.values() for p in family)

    @property
    def pharmacy_prefixes(self) -> tuple[str, ...]:
        return tuple(self.holder_invoice_families.get("pharmacy", []))


# The rules `Settings.sat_checks` switches: every one needs an answer from SAT's web services or
# its 69-B list. Switched off, each is listed under `skipped_rules` of every decision.
SAT_CHECK_CODES = ("CFDI-005", "CFDI-006", "CFDI-007", "CFDI-008", "CSF-007", "CSF-008")


class _Group(_Frozen):
    """A typed view of some of the flat settings: what one adapter needs, and nothing else.
    `_flat` names the Settings field each group field comes from; `_prefix` + the field's own
    name when not listed."""

    _prefix: ClassVar[str] = ""
    _flat: ClassVar[dict[str, str]] = {}

    @classmethod
    def of(cls, settings: Settings) -> Self:
        # The flat fields were validated when Settings was built: no second validation here.
        values = {name: getattr(settings, cls._flat.get(name, cls._prefix + name)) for name in cls.model_fields}
        return cast(Self, cls.model_construct(**values))  # pydantic's stub types it as the base class


class SatSettings(_Group):
    """SAT's web services and the 69-B list (sat/): where, how long, how often, how hard."""

    _prefix = "sat_"
    _flat = {"efos_list": "efos_list"}

    checks: bool
    status_url: str
    csf_url: str
    efos_list: str | None
    timeout_s: float
    status_max_age_hours: float
    retry_attempts: int
    retry_base_delay_s: float
    breaker_failures: int
    breaker_cooldown_s: float
    rate_per_s: float
    rate_burst: int
    sweep_batch_size: int


class StorageSettings(_Group):
    """Where originals, state and reports live (storage/): the home, the state database, S3."""

    home: Path
    database_url: str | None
    blob_url: str | None
    s3_endpoint_url: str | None
    s3_region: str | None
    s3_sse: str
    s3_kms_key_id: str | None
    staging_max_age_s: float

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'state.sqlite').resolve()}"


class ApiSettings(_Group):
    """The intake API (api/): the deployment it triggers, its batching, its slow-client deadlines."""

    _prefix = "api_"

    deployment: str | None
    batch_window_s: float
    batch_max: int
    max_waiting_runs: int
    header_timeout_s: float
    body_timeout_s: float
    body_min_rate: int


class MailSettings(_Group):
    """Pending-documents notices by e-mail (notify/mailer.py)."""

    _prefix = "smtp_"
    _flat = {"sender": "smtp_from"}

    host: str | None
    port: int
    sender: str
    tls: Literal["none", "starttls", "ssl"]
    user: str | None
    password: str | None
    timeout_s: float


class RecoverySettings(_Group):
    """What a dead worker left (application/recover.py, flows/recover.py)."""

    _prefix = "recover_"

    stuck_after_s: float


class ReaderSettings(_Group):
    """How documents are read (extractors/): the reader processes, and the certificates a CFDI's
    seal chain (CFDI-021) and SAT stamp (CFDI-004) are checked against, offline."""

    _flat = {
        "workers": "read_workers",
        "sandbox": "read_sandbox",
        "trust_store": "cfdi_trust_store",
        "stamp_certificates": "sat_stamp_certificates",
    }

    workers: int
    sandbox: bool
    trust_store: Path | None
    stamp_certificates: Path | None


class Settings(BaseSettings):
    """Deployment settings. Every field can be set as `CLAIM_INTAKE_<NAME>` (CONTRACT.md and the
    docs name them so): the fields stay flat, one per environment name, and each adapter reads
    its group (`settings.sat`, `.storage`, `.api`, `.mail`, `.reader`), a typed view of them."""

    model_config = SettingsConfigDict(env_prefix="CLAIM_INTAKE_", extra="ignore")

    home: Path = Path(".claim-intake")
    ruleset_file: Path | None = None  # default: the packaged defaults/ruleset.yaml
    database_url: str | None = None  # default: SQLite under home
    sat_status_url: str = "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc"
    sat_csf_url: str = "https://siat.sat.gob.mx/app/qr/faces/pages/mobile/validadorqr.jsf"
    efos_list: str | None = None
    sat_timeout_s: float = Field(10, gt=0)
    # SAT web-service checks (CFDI-005..008, CSF-007/008), on by default (CONTRACT.md): an invoice
    # SAT cancelled or does not know must never reach adjudication unnoticed. Switched off, every
    # decision lists SAT_CHECK_CODES under skipped_rules and the report says SAT was not asked.
    sat_checks: bool = True
    sat_status_max_age_hours: float = Field(24, ge=0)  # a cached Vigente older than this is asked again
    sat_retry_attempts: int = Field(3, ge=1)  # per call, with exponential backoff + jitter
    sat_retry_base_delay_s: float = Field(0.5, ge=0)  # first backoff; doubles per attempt, capped at 8x
    sat_breaker_failures: int = Field(5, ge=1)  # consecutive failed calls that open the breaker
    sat_breaker_cooldown_s: float = Field(60, ge=0)
    sat_rate_per_s: float = Field(5, gt=0)  # calls per second to each SAT service, per state DB
    sat_rate_burst: int = Field(5, ge=1)
    sat_sweep_batch_size: int = Field(20, ge=1)  # awaiting_sat folios re-checked per sweep task (flows/sweep.py)
    # CFDI-021: directory of CA certificates an issuer's certificate must chain to. Default: SAT's
    # production CAs shipped inside satcfdi. Tests point it at the samples' own test CA.
    cfdi_trust_store: Path | None = None
    # TimbreFiscalDigital SelloSAT (CFDI-004): directory of SAT stamp certificates, one file per
    # certificate named `<NoCertificadoSAT>.cer` (DER or PEM). A stamp whose certificate is not
    # there is reported as not checked, never rejected for it. None: SelloSAT is not checked.
    sat_stamp_certificates: Path | None = None
    # Scale-out (docs/deploy.md). Originals in S3 when set: `s3://bucket/prefix`; S3-compatible
    # endpoint (MinIO, moto) by URL; server-side encryption requested on every write.
    blob_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_sse: str = "AES256"  # or "aws:kms" with s3_kms_key_id
    s3_kms_key_id: str | None = None
    # Half-finished uploads (an API or worker killed mid-copy: the API's staging directories, the
    # blob store's `incoming` entries and, on S3, unfinished multipart uploads) older than this
    # are removed (application/staging.py). Longer than any upload takes, so none in progress is.
    staging_max_age_s: float = Field(3600, gt=0)
    # Intake API (api/): Prefect deployment each accepted upload triggers, e.g.
    # "intake-batch/intake-batch"; None runs the flow in-process in the API's background worker.
    api_deployment: str | None = None
    api_batch_window_s: float = Field(1.0, ge=0)  # gather uploads this long into one flow run
    api_batch_max: int = Field(500, ge=1)  # ... or until this many folios
    # while this many of an API's runs wait for a worker, gather into the next batch (api/trigger.py)
    api_max_waiting_runs: int = Field(1, ge=1)
    # recover-undecided (flows/recover.py) re-runs an accepted upload without a decision at once
    # when its flow run has ended, and after this long when its run still looks alive or none
    # was noted (application/recover.py)
    recover_stuck_after_s: float = Field(900, gt=0)
    # Slow clients (api/serving.py): a request's headers must arrive within api_header_timeout_s of
    # its first byte; its body within api_body_timeout_s plus 1 s per api_body_min_rate bytes
    # received (so 50 MiB at >= 16 KiB/s always gets through, a trickle does not). Past it: 408.
    api_header_timeout_s: float = Field(10, gt=0)
    api_body_timeout_s: float = Field(20, gt=0)
    api_body_min_rate: int = Field(16384, ge=1)  # bytes per second
    # Pending-documents notices by e-mail (notify/mailer.py). No host: notices are only
    # written to storage (status pending) until `claim-intake notices --retry` with a host set.
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "reclamaciones@localhost"
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout_s: float = Field(10, gt=0)
    # Reader processes of the per-document sandbox (extractors/sandbox.py); 0: one per CPU.
    read_workers: int = Field(0, ge=0)
    read_sandbox: bool = True  # False: read in-process without budgets (debugging only)

    @property
    def sat(self) -> SatSettings:
        return SatSettings.of(self)

    @property
    def storage(self) -> StorageSettings:
        return StorageSettings.of(self)

    @property
    def api(self) -> ApiSettings:
        return ApiSettings.of(self)

    @property
    def mail(self) -> MailSettings:
        return MailSettings.of(self)

    @property
    def reader(self) -> ReaderSettings:
        return ReaderSettings.of(self)

    @property
    def recovery(self) -> RecoverySettings:
        return RecoverySettings.of(self)

    @property
    def db_url(self) -> str:
        return self.storage.db_url

    def load_ruleset(self) -> Ruleset:
        return load_ruleset(self.ruleset_file)


def load_ruleset(path: Path | None = None) -> Ruleset:
    if path is None:
        raw = files("domain").joinpath("defaults/ruleset.yaml").read_text("utf-8")
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


def current_settings() -> Settings:
    """Settings as the environment says now, built once per distinct CLAIM_INTAKE_* environment:
    building them costs ~9 ms (pydantic-settings), too much for every task and every read."""
    return _settings_for(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("CLAIM_INTAKE_"))))


@lru_cache(maxsize=32)
def _settings_for(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


@lru_cache(maxsize=1)
def default_ruleset() -> Ruleset:
    return load_ruleset(None)
