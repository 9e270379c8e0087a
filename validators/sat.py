"""SAT web-service answers to findings: CFDI-005…008 and CSF-007/008 (RULES.md).

Pure: the answers (or what failed) arrive as arguments, gathered by sat.checks; nothing here
calls SAT. A failure to obtain an answer is always `retry`, never a rejection, and the finding's
evidence says what failed. SAT's raw answer goes into the evidence of every finding drawn from
it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.extractions import CsfExtraction
from domain.findings import Finding
from domain.rules import finding
from domain.sat import CsfOnline, EfosEntry, SatStatus

from .names import same_person

VALID_STATUSES = frozenset({"ACTIVO", "REACTIVADO"})


@dataclass(frozen=True)
class CfdiSatAnswer:
    """What SAT said about one CFDI, or what failed (SatUnavailable.evidence() dicts)."""

    uuid: str
    issuer_rfc: str | None = None
    status: SatStatus | None = None
    status_error: dict[str, Any] | None = None
    efos_entry: EfosEntry | None = None  # the issuer's row in the 69-B list, if any
    efos_error: dict[str, Any] | None = None  # the configured 69-B list could not be read


@dataclass(frozen=True)
class CsfSatAnswer:
    """SAT's QR validation page for one certificate, or what failed (incl. no idCIF)."""

    online: CsfOnline | None = None
    error: dict[str, Any] | None = None


def _clean(evidence: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in evidence.items() if v is not None}


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").strip().upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# ------------------------------------------------------------------------------ CFDI


def cfdi_sat_findings(answer: CfdiSatAnswer) -> list[Finding]:
    findings: list[Finding] = []
    status = answer.status
    if status is None:
        failed = dict(answer.status_error or {"failed": "unknown"})
        if answer.efos_error:
            failed["efos_list_failed"] = answer.efos_error
        findings.append(
            finding(
                "CFDI-007",
                "status_unavailable",
                _clean({"uuid": answer.uuid, **failed}),
            )
        )
    elif status.cancelled:
        findings.append(
            finding(
                "CFDI-005",
                "cancelled",
                _clean({"uuid": answer.uuid, **status.evidence()}),
                uuid=answer.uuid,
            )
        )
    elif status.not_found:
        findings.append(
            finding(
                "CFDI-006",
                "not_found",
                _clean({"uuid": answer.uuid, **status.evidence()}),
                uuid=answer.uuid,
            )
        )
    efos = _efos_finding(answer)
    if efos is not None:
        findings.append(efos)
    if status is not None and answer.efos_error:
        findings.append(
            finding(
                "CFDI-007",
                "efos_unavailable",
                _clean({"uuid": answer.uuid, **answer.efos_error}),
            )
        )
    return findings


def _efos_finding(answer: CfdiSatAnswer) -> Finding | None:
    by_status = answer.status if answer.status is not None and answer.status.efos_listed else None
    by_list = answer.efos_entry if answer.efos_entry is not None and answer.efos_entry.rejects else None
    if by_status is None and by_list is None:
        return None
    evidence: dict[str, Any] = {"uuid": answer.uuid, "issuer_rfc": answer.issuer_rfc}
    sources = []
    if by_status is not None:
        sources.append("ValidacionEFOS")
        evidence["validacion_efos"] = by_status.validacion_efos
        evidence["raw_answer"] = by_status.raw_xml[:4000]
    if by_list is not None:
        sources.append("listado_69B")
        evidence["listado_69b"] = by_list.evidence()
    evidence["sources"] = sources
    situation = by_list.situation.lower() if by_list is not None else "presunto o definitivo"
    return finding(
        "CFDI-008",
        "efos_listed",
        _clean(evidence),
        uuid=answer.uuid,
        situation=situation,
    )


# ------------------------------------------------------------------------------ CSF


def csf_sat_findings(
    pdf: CsfExtraction, answer: CsfSatAnswer, honorifics: Iterable[str] = (), legal_forms: Iterable[str] = ()
) -> list[Finding]:
    """`pdf` is the CsfExtraction read from the certificate; names are compared as every rule
    compares them (validators.names: the rule set's honorifics and legal forms)."""
    if answer.online is None:
        return [
            finding(
                "CSF-007",
                "validation_unavailable",
                _clean(dict(answer.error or {"failed": "unknown"})),
            )
        ]
    online = answer.online
    if not online.found:
        return [
            finding(
                "CSF-008",
                "no_record",
                _clean({"contradictions": ["no_record"], "id_cif": online.id_cif, **online.evidence()}),
            )
        ]
    contradictions: list[str] = []
    pdf_status, sat_status = _fold(getattr(pdf, "status", None)), _fold(online.status)
    if pdf_status and pdf_status != sat_status:
        contradictions.append("status")
    pdf_name = getattr(pdf, "name", None)
    if pdf_name and not same_person(pdf_name, online.name, honorifics, legal_forms):
        contradictions.append("name")
    if not contradictions:
        return []
    cause = "status_and_name" if len(contradictions) == 2 else contradictions[0]
    return [
        finding(
            "CSF-008",
            cause,
            _clean(
                {
                    "contradictions": contradictions,
                    "pdf_status": pdf_status or None,
                    "pdf_name": pdf_name,
                    **online.evidence(),
                }
            ),
            sat_status=online.status or "sin estatus",
            pdf_status=pdf.status,
            sat_name=online.name or "sin nombre",
            pdf_name=pdf_name,
        )
    ]
