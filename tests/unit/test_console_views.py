"""What the console's pages show (api/console/views.py): identifiers masked unless revealed,
ages, what a folio waits for, the findings filters and the per-code bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import decision

from api.console import views
from domain.decision import DocumentResult, DocumentStatus, Route
from domain.findings import Finding, Outcome
from domain.kinds import DocumentKind

RFC, CLABE = "LOGM850312QH5", "012180001234567897"


def test_identifiers_are_masked_in_nested_values_unless_revealed():
    value = {"rfc": RFC, "cuentas": [f"CLABE {CLABE}"], "n": 3}
    shown = views.masked(value, reveal=False)
    assert RFC not in str(shown) and CLABE not in str(shown) and shown["n"] == 3
    assert shown["cuentas"][0].endswith("7897")
    assert views.masked(value, reveal=True) == value
    assert views.mask_email("maria.lopez@example.mx") == "m***@example.mx"


def test_ages_and_dates_read_naive_values_as_utc():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert views.age_es(now - timedelta(days=2, hours=3), now) == "2 d 3 h"
    assert views.age_es((now - timedelta(minutes=7)).replace(tzinfo=None), now) == "7 min"
    assert views.when(datetime(2026, 12, 1, 5, 6)) == "2026-12-01 05:06 UTC"


def test_what_a_folio_waits_for_names_missing_kinds_and_masks_file_names():
    doc = DocumentResult(
        file=f"{RFC}_csf.pdf",
        sha256="0" * 64,
        size=1,
        kind=DocumentKind.TAX_STATUS_CERTIFICATE,
        status=DocumentStatus.REJECTED,
        findings=[Finding(code="CSF-002", outcome=Outcome.REJECT, message_es="vieja")],
    )
    waits = views.waits_for(decision(Route.PENDING_DOCUMENTS, documents=[doc], missing=[DocumentKind.MEDICAL_REPORT]))
    assert waits[0] == "falta: informe médico"
    assert any(w.startswith("CSF-002 LOGM******QH5") for w in waits) and RFC not in " ".join(waits)


def test_findings_filters_and_code_bars():
    at = datetime(2026, 11, 20, tzinfo=UTC)
    rows = [
        {"code": "CSF-002", "route": "pending_documents", "folio": "A", "evaluated_at": at},
        {"code": "CSF-002", "route": "pending_documents", "folio": "B", "evaluated_at": at + timedelta(hours=1)},
        {"code": "REQ-001", "route": "adjudication", "folio": "C", "evaluated_at": at},
    ]
    assert [r["folio"] for r in views.filtered_findings(rows, {"code": "CSF-002"})] == ["B", "A"]
    assert views.filtered_findings(rows, {"code": "CSF-002", "route": "adjudication"}) == []
    assert views.code_bars(rows) == [
        {"code": "CSF-002", "count": 2, "width": 100},
        {"code": "REQ-001", "count": 1, "width": 50},
    ]
