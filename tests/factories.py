"""Builders the tests share: manifests, documents as the extractors see them, the codes of
findings and decisions. Plain functions with defaults that a test overrides, so each test states
only what it is about; fixtures (servers, homes) are in the conftest files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdfium2

from domain.config import Settings
from domain.decision import Decision, Route
from domain.findings import Finding
from domain.folio import FolioManifest
from domain.kinds import DocumentKind
from extractors import ReadDocument
from extractors.content import DocumentContent
from satsim import SatSimulator

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "folios"  # the 22 sample folios
FOLIO = "RB-2026-000123"
RECEIVED_AT = "2026-11-20T10:15:00-06:00"


def manifest(**fields: Any) -> FolioManifest:
    """A folio.json with the three fields every folio needs (folio, claim type, received at),
    `fields` added or replacing them."""
    data: dict[str, Any] = {"folio": FOLIO, "claim_type": "reembolso", "received_at": RECEIVED_AT}
    data.update(fields)
    return FolioManifest.model_validate(data)


def manifest_json(**fields: Any) -> bytes:
    """folio.json's bytes as a portal sends them: the same defaults as manifest()."""
    return json.dumps({"folio": FOLIO, "claim_type": "reembolso", "received_at": RECEIVED_AT, **fields}).encode()


def decision(route: Route, folio: str = "T-1", **fields: Any) -> Decision:
    """A decision as storage keeps it: evaluated now, under a rule set named "test"."""
    return Decision(
        folio=folio, route=route, ruleset="test", evaluated_at=datetime.now(UTC), as_of=date(2026, 11, 20), **fields
    )


def pdf_content(data: bytes, name: str = "document.pdf", media_type: str = "application/pdf") -> DocumentContent:
    """A PDF's text layer as the extractors receive it, page by page (pypdfium2, no OCR)."""
    pdf = pypdfium2.PdfDocument(data)
    pages = tuple(p.get_textpage().get_text_range() for p in pdf)
    return DocumentContent(name=name, data=data, media_type=media_type, pages=pages)


def codes(findings: Iterable[Finding]) -> list[str]:
    """The findings' rule codes, sorted: what a test compares when the order is not the point."""
    return sorted(f.code for f in findings)


def codes_as_found(findings: Iterable[Finding]) -> list[str]:
    """The findings' rule codes in the order the rules produced them."""
    return [f.code for f in findings]


# --- the SAT simulator (the `sim` fixture is in tests/integration/conftest.py) ------------------

# CLAIM_INTAKE_* (without the prefix) for SAT checks against the simulator: short timeouts and
# retries, a breaker that closes again quickly, a rate limit that never waits.
FAST_SAT_ENV = {
    "SAT_CHECKS": "true",
    "SAT_TIMEOUT_S": "0.3",
    "SAT_RETRY_ATTEMPTS": "2",
    "SAT_RETRY_BASE_DELAY_S": "0.01",
    "SAT_BREAKER_COOLDOWN_S": "0.2",
    "SAT_RATE_PER_S": "1000",
    "SAT_RATE_BURST": "100",
}


def simulator_settings(sim: SatSimulator, home: Path, **fields: Any) -> Settings:
    """Settings with the SAT checks on and pointed at the simulator, quick to give up."""
    return Settings(
        home=home,
        sat_checks=True,
        sat_status_url=sim.status_url,
        sat_csf_url=sim.csf_url,
        sat_timeout_s=0.5,
        sat_retry_base_delay_s=0.01,
        sat_rate_per_s=1000,
        sat_rate_burst=100,
        **fields,
    )


def teach_simulator(sim: SatSimulator, read: dict[str, ReadDocument]) -> None:
    """Tell the simulator about the folio's invoice and certificate, as SAT would know them."""
    for doc in read.values():
        ext: Any = doc.extraction
        if doc.kind is DocumentKind.CFDI_XML:
            sim.add_cfdi(
                ext.uuid,
                "Vigente",
                issuer_rfc=ext.issuer_rfc,
                receiver_rfc=ext.receiver_rfc,
                total=str(ext.total),
                seal_tail=ext.seal_tail,
            )
        elif doc.kind is DocumentKind.TAX_STATUS_CERTIFICATE:
            sim.add_csf(ext.id_cif, ext.rfc, name=ext.name, status=ext.status)
