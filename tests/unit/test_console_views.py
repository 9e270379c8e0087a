"""What the console's pages show (api/console/views.py): identifiers masked unless revealed,
ages, what a folio waits for, the findings filters and the per-code bars."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from factories import decision

from api.console import views
from domain.decision import DocumentResult, DocumentStatus, Route
from domain.findings import Finding, Outcome
from domain.kinds import DocumentKind
from domain.masking import mask_text
from storage.reporting import FINDING_COLUMNS

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


def test_code_bars_from_counts():
    """Bars from the GROUP BY's counts: most frequent first, ties by code, widths relative."""
    assert views.code_bars({"REQ-001": 1, "CSF-002": 2, "AAA-001": 1}) == [
        {"code": "CSF-002", "count": 2, "width": 100, "y": views.CHART_TOP, "px": views.CHART_BAR_PX},
        {"code": "AAA-001", "count": 1, "width": 50, "y": views.CHART_TOP + views.CHART_ROW, "px": 280},
        {"code": "REQ-001", "count": 1, "width": 50, "y": views.CHART_TOP + 2 * views.CHART_ROW, "px": 280},
    ]
    assert views.code_bars({}) == []


def test_findings_csv_lines_mask_identifiers_and_come_in_chunks():
    at = datetime(2026, 11, 20, tzinfo=UTC)
    rows = (
        {"evaluated_at": at + timedelta(minutes=n), "folio": f"F-{n}", "file": f"csf_{RFC}.pdf", "code": "CSF-002"}
        for n in range(1001)
    )
    chunks = list(views.csv_lines(rows, ("evaluated_at", "folio", "file", "code")))
    assert len(chunks) == 3  # 500 rows, 500 rows, the last one
    lines = "".join(chunks).splitlines()
    assert lines[0] == "evaluated_at,folio,file,code" and len(lines) == 1002
    assert lines[1] == f"2026-11-20T00:00:00+00:00,F-0,csf_{mask_text(RFC)}.pdf,CSF-002"
    assert RFC not in "".join(chunks)


def test_findings_csv_masks_as_the_whole_row_masked_would():
    """Only the free-text columns are masked (the rest are enumerations and rule codes): the
    line is the one masking every column gave."""
    row = {
        "evaluated_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "folio": f"F-{RFC}",
        "decision_no": 2,
        "claim_type": "reembolso",
        "portal": f"portal {CLABE}",
        "route": "pending_documents",
        "ruleset": "2026.11.4",
        "file": f"csf_{RFC}.pdf",
        "kind": "tax_status_certificate",
        "code": "CSF-002",
        "outcome": "reject",
        "message_es": f"La constancia de {RFC} tiene más de 30 días, cuenta {CLABE}.",
        "decision_id": 7,
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FINDING_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerow({**views.masked(row, False), "evaluated_at": row["evaluated_at"].isoformat()})
    assert "".join(views.csv_lines([row], FINDING_COLUMNS)) == out.getvalue()
    assert RFC not in out.getvalue() and CLABE not in out.getvalue()
