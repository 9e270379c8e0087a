"""Re-upload: `claim-intake add FOLIO FILES…` completes a pending folio. The whole folio is
re-evaluated through the intake flow, a second decision is appended, the folio moves to
adjudication, and the documents read the first time are not read again (extraction cache)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from cli_runner import cli

FOLIO = "RB-2026-000504"  # everything but the medical report


def cache_stats() -> dict[str, int]:
    from domain.config import Settings
    from storage import open_storage
    from storage.extraction_cache import ExtractionCache

    return ExtractionCache(open_storage(Settings()).state.engine, "-").stats()


@pytest.mark.usefixtures("prefect_harness")
def test_add_completes_a_pending_folio_without_reading_old_files_again(home, sample_folios):
    from prefect.settings import PREFECT_API_URL

    from domain.config import Settings
    from flows.intake import intake_folio
    from storage import open_storage

    folio_dir = next(p for p in sample_folios if p.name == FOLIO)
    first = intake_folio(str(folio_dir), date(2026, 11, 20))
    assert first.route.value == "pending_documents" and [k.value for k in first.missing] == ["medical_report"]
    read_first = len([d for d in first.documents if d.status.value != "duplicate"])
    assert cache_stats() == {"entries": read_first, "hits": 0}

    report = next(p for p in sample_folios if p.name == "RB-2026-000101") / "informe_medico.pdf"
    result = cli(
        "add", FOLIO, str(report), "--as-of", "2026-11-20", "--json", home=home, api_url=PREFECT_API_URL.value()
    )
    assert result.returncode == 0, result.stderr
    second = json.loads(result.stdout)
    assert second["route"] == "adjudication" and second["missing"] == []
    assert {d["file"] for d in second["documents"]} == {d.file for d in first.documents} | {"informe_medico.pdf"}

    state = open_storage(Settings()).state
    assert [d.route.value for d in state.history(FOLIO)] == ["pending_documents", "adjudication"]
    assert state.queue_of(FOLIO) == "adjudication"
    assert cache_stats() == {"entries": read_first + 1, "hits": read_first}  # only the new file was read
    assert (home / "reports" / FOLIO / "decision-002.json").is_file()
    assert "adjudication" in (home / "reports" / FOLIO / "report.html").read_text()


def test_add_to_an_unknown_folio_or_a_missing_file_is_an_input_error(home, tmp_path):
    result = cli("add", "RB-0000-000000", str(tmp_path / "x.pdf"), home=home)
    assert result.returncode == 2 and "unknown" in result.stderr
