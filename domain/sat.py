"""SAT's answers as the validators judge them: the status of a CFDI (ConsultaCFDIService), a
certificate as SAT's QR validation page shows it, and a taxpayer's row in the 69-B list.

Plain models, no I/O: the clients that fetch them live in `sat/`, the cache that keeps them in
`storage/`, and the rules that judge them in `validators/sat.py`. They sit in the domain so that
validators and storage depend on what SAT says, not on how it is asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

STATUS_SERVICE = "ConsultaCFDIService"
CSF_SERVICE = "Validador QR CSF"
EFOS_SERVICE = "Listado 69-B"

VIGENTE, CANCELADO, NO_ENCONTRADO = "Vigente", "Cancelado", "No Encontrado"
EFOS_LISTED = "100"  # ValidacionEFOS: 100 = issuer listed (69-B), 200 = not listed


class SatStatus(BaseModel):
    """SAT's answer for one CFDI, with the raw SOAP answer kept as evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uuid: str
    expression: str
    codigo_estatus: str
    estado: str | None = None
    es_cancelable: str | None = None
    estatus_cancelacion: str | None = None
    validacion_efos: str | None = None
    checked_at: datetime
    endpoint: str
    raw_xml: str
    from_cache: bool = False

    @property
    def found(self) -> bool:
        return self.codigo_estatus.startswith("S")

    @property
    def not_found(self) -> bool:
        return "602" in self.codigo_estatus or self.estado == NO_ENCONTRADO

    @property
    def cancelled(self) -> bool:
        return self.estado == CANCELADO

    @property
    def efos_listed(self) -> bool:
        return (self.validacion_efos or "").strip() == EFOS_LISTED

    def evidence(self) -> dict[str, Any]:
        return {
            "service": STATUS_SERVICE,
            "codigo_estatus": self.codigo_estatus,
            "estado": self.estado,
            "es_cancelable": self.es_cancelable,
            "estatus_cancelacion": self.estatus_cancelacion,
            "validacion_efos": self.validacion_efos,
            "checked_at": self.checked_at.isoformat(),
            "from_cache": self.from_cache,
            "raw_answer": self.raw_xml[:4000],
        }


class CsfOnline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rfc: str
    id_cif: str
    found: bool
    status: str | None = None  # "Situación del contribuyente"
    name: str | None = None  # Denominación o Razón Social, or Nombre + Apellidos
    postal_code: str | None = None
    regimes: list[str] = Field(default_factory=list)
    regime_codes: list[str] = Field(default_factory=list)
    rows: dict[str, str] = Field(default_factory=dict)  # the page's data rows, contact data left out
    page_sha256: str
    checked_at: datetime

    def evidence(self) -> dict[str, Any]:
        return {
            "service": CSF_SERVICE,
            "found": self.found,
            "status": self.status,
            "name": self.name,
            "postal_code": self.postal_code,
            "regimes": self.regimes,
            "checked_at": self.checked_at.isoformat(),
            "raw_answer": {"rows": self.rows, "page_sha256": self.page_sha256},
        }


PRESUNTO, DEFINITIVO, DESVIRTUADO, SENTENCIA = "Presunto", "Definitivo", "Desvirtuado", "Sentencia Favorable"
REJECTING = frozenset({PRESUNTO, DEFINITIVO})


@dataclass(frozen=True)
class EfosEntry:
    rfc: str
    name: str
    situation: str  # one of the four situations, as SAT writes it
    number: str = ""
    publications: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def rejects(self) -> bool:
        return self.situation in REJECTING

    def evidence(self) -> dict[str, Any]:
        return {
            "source": EFOS_SERVICE,
            "rfc": self.rfc,
            "name": self.name,
            "situation": self.situation,
            "row": self.number,
            **{k: v for k, v in self.publications.items() if v},
        }
