"""The Spanish rule catalogue (defaults/rules_es.yaml) covers every code the code can emit."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"""["']([A-Z]{3,4}-\d{3})["']""")


def emitted_codes() -> set[str]:
    codes = set()
    for folder in (
        "validators",
        "sat",
        "extractors",
        "claim_intake",
        "flows",
        "storage",
        "domain",
        "application",
        "reports",
        "notify",
        "processes",
        "api",
    ):
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_emitted_code_has_a_rule_text():
    from reports.render import rule_catalogue

    catalogue = rule_catalogue()
    codes = emitted_codes()
    assert len(codes) >= 40  # the scan itself works
    missing = sorted(codes - set(catalogue))
    assert not missing, f"codes without an entry in defaults/rules_es.yaml: {missing}"


def test_every_entry_is_complete_and_rejects_say_what_to_do():
    from reports.render import rule_catalogue

    for code, entry in rule_catalogue().items():
        assert re.fullmatch(r"[A-Z]{3,4}-\d{3}", code)
        assert entry["outcome"] in {"reject", "warn", "retry"}, code
        assert len(entry["rule"]) > 20, code
        if entry["outcome"] == "reject":
            assert entry["action"], f"{code}: a rejection must tell the claimant what to do"


def test_masking_of_extracted_fields():
    from reports.render import mask_fields

    shown = mask_fields(
        {
            "issuer_rfc": "LOGM850312QH5",
            "clabe": "012018000123456786",
            "text": "RFC PEHJ800101ABC y cuenta 012180001234567897",
            "total": "1500.00",
        }
    )
    assert shown["issuer_rfc"] == "LOGM******QH5"
    assert shown["clabe"] == "**************6786"
    assert "800101" not in shown["text"] and "0121800012" not in shown["text"]
    assert shown["total"] == "1500.00"


def _decision_with(extracted: dict, file: str = "constancia.pdf"):
    from datetime import date, datetime

    from domain.decision import Decision, DocumentResult, DocumentStatus, Route
    from domain.kinds import DocumentKind

    doc = DocumentResult(
        file=file,
        sha256="0" * 64,
        size=10,
        media_type="application/pdf",
        kind=DocumentKind.TAX_STATUS_CERTIFICATE,
        status=DocumentStatus.ACCEPTED,
        extracted=extracted,
    )
    return Decision(
        folio="DF-2026-009999",
        route=Route.ADJUDICATION,
        ruleset="test",
        as_of=date(2026, 3, 1),
        evaluated_at=datetime(2026, 3, 1, tzinfo=UTC),
        documents=[doc],
    )


def test_report_shows_extracted_lists_as_written_not_json_escapes():
    from reports.render import render_folio_html

    html = render_folio_html(
        _decision_with(
            {
                "regimes": ["Régimen de Sueldos y Salarios", "Régimen Simplificado de Confianza"],
                "address": {"municipio": "Benito Juárez", "entidad": "Ciudad de México"},
            }
        )
    )
    assert "Régimen de Sueldos y Salarios, Régimen Simplificado de Confianza" in html
    assert "Benito Juárez" in html and "Ciudad de México" in html
    assert "\\u00" not in html
