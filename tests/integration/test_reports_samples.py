"""Every sample folio through the intake flow once, then the PDF flow: its notice, folio report (HTML + PDF) and
Prefect artifact exist and say the same thing as the stored JSON decision; the three pages
people read are rendered in headless Chromium and are not blank."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def processed(sample_folios, tmp_path_factory):
    """(home, {folio: decision JSON}) after running every sample at its expected intake date."""
    from flows.intake import intake_folio

    home = tmp_path_factory.mktemp("reports") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIM_INTAKE_HOME", str(home))
        mp.delenv("CLAIM_INTAKE_SMTP_HOST", raising=False)
        decisions = {}
        for folio_dir in sample_folios:
            expected = json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())
            decision = intake_folio(str(folio_dir), date.fromisoformat(expected["as_of"]))
            decisions[decision.folio] = decision
        from flows.report import folio_report_pdfs
        from reports.render import folios_without_current_pdf

        reports = home / "reports"
        assert set(folios_without_current_pdf(reports)) == set(decisions)  # routing waits for no PDF
        rendered = folio_report_pdfs()
        assert set(rendered) == set(decisions) and all(v.endswith("report.pdf") for v in rendered.values())
        assert (
            folios_without_current_pdf(reports) == [] and folio_report_pdfs() == {}
        )  # nothing changed: nothing redone
        yield home, decisions


def _stored_json(home: Path, folio: str) -> dict:
    folder = home / "reports" / folio
    latest = json.loads((folder / "latest.json").read_text())["decision"]
    return json.loads((folder / latest).read_text())


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_folio_report_html_and_pdf_match_the_decision(processed):
    import pypdfium2

    home, decisions = processed
    for folio, decision in decisions.items():
        stored = _stored_json(home, folio)
        assert stored["route"] == decision.route.value
        html = (home / "reports" / folio / "report.html").read_text()
        pdf = pypdfium2.PdfDocument(str(home / "reports" / folio / "report.pdf"))
        pdf_text = _squash("".join(page.get_textpage().get_text_range() for page in pdf))
        assert f"({stored['route']})" in html and _squash(f"({stored['route']})") in pdf_text, folio
        assert stored["ruleset"] in html and stored["ruleset"] in pdf_text
        codes = {f["code"] for f in stored["folio_findings"]} | {
            f["code"] for d in stored["documents"] for f in d["findings"]
        }
        assert codes == set(decision.codes())
        for code in codes:
            assert f"<b>{code}</b>" in html and code in pdf_text, (folio, code)
        for doc in stored["documents"]:
            assert doc["file"] in html, (folio, doc["file"])
            assert f"{doc['status']}</span>" in html


def test_report_masks_rfc_and_clabe(processed):
    home, decisions = processed
    rfc_re = re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b")
    for folio in decisions:
        html = (home / "reports" / folio / "report.html").read_text()
        assert not rfc_re.search(html), folio
        assert not re.search(r"\b\d{18}\b", html), folio


def test_notice_exists_exactly_for_pending_and_lists_every_reason(processed):
    from domain.config import Settings
    from notify.notices import NoticeStore
    from storage import open_storage

    home, decisions = processed
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIM_INTAKE_HOME", str(home))
        rows = {r["folio"]: r for r in NoticeStore(open_storage(Settings()).state.engine).list()}
    pending = {f for f, d in decisions.items() if d.route.value == "pending_documents"}
    assert pending and set(rows) == pending
    for folio in pending:
        stored = _stored_json(home, folio)
        text = (home / "reports" / folio / "notice-001.txt").read_text()
        html = (home / "reports" / folio / "notice-001.html").read_text()
        assert rows[folio]["body_text"] == text and rows[folio]["status"] == "pending"  # no SMTP host: stored only
        for doc in stored["documents"]:
            if doc["status"] == "rejected":
                assert doc["file"] in text and doc["file"] in html, (folio, doc["file"])
        from domain.kinds import DocumentKind

        for kind in stored["missing"]:
            assert DocumentKind(kind).name_es in text, (folio, kind)
    for folio in set(decisions) - pending:
        assert not list((home / "reports" / folio).glob("notice-*")), folio


def test_markdown_artifact_matches_the_decision(processed):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    home, decisions = processed
    keys = {("folio-" + "".join(c if c.isalnum() else "-" for c in f.lower()) + "-report")[:100]: f for f in decisions}
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=list(keys))))
    latest = {}
    for art in sorted(artifacts, key=lambda a: a.created):
        latest[art.key] = art
    assert set(latest) == set(keys)
    for key, art in latest.items():
        decision = decisions[keys[key]]
        assert art.type == "markdown"
        assert f"(`{decision.route.value}`)" in art.data
        for code in {f.code for d in decision.documents for f in d.findings if f.outcome != "warn"}:
            assert f"| {code} |" in art.data, (key, code)
        assert str(home / "reports" / decision.folio / "report.pdf") in art.data


def test_period_report_counts_every_finding(processed):
    import csv

    from domain.config import Settings
    from reports.render import write_period_report
    from storage import open_storage

    home, decisions = processed
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIM_INTAKE_HOME", str(home))
        storage = open_storage(Settings())
    day = next(iter(decisions.values())).evaluated_at.date()
    paths = write_period_report(storage.state.engine, day, day, home / "period")
    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8")))
    expected = sum(len(d.folio_findings) + sum(len(doc.findings) for doc in d.documents) for d in decisions.values())
    assert len(rows) == expected
    assert {r["folio"] for r in rows} <= set(decisions)
    html = paths["html"].read_text()
    assert html.count('src="data:image/png;base64,') == 6
    rejects = sum(1 for r in rows if r["outcome"] == "reject")
    assert f"<b>{rejects}</b>rechazos" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _screenshot(html_file: Path, png: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chrome'}",
            "--hide-scrollbars",
            "--window-size=1200,1400",
            f"--screenshot={png}",
            html_file.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _not_blank(png: Path) -> bool:
    from PIL import Image

    with Image.open(png) as image:
        gray = image.convert("L")
        histogram = gray.histogram()
        dark = sum(histogram[:128])  # text, lines, bars
        return dark > 0.002 * gray.width * gray.height and len(gray.getcolors(maxcolors=256 * 256) or []) > 8


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by scripts/setup")
def test_pages_render_in_headless_chromium(processed, tmp_path):
    from domain.config import Settings
    from reports.render import write_period_report
    from storage import open_storage

    home, decisions = processed
    folio = next(
        f
        for f, d in decisions.items()
        if d.route.value == "pending_documents"
        and d.missing
        and any(doc.status.value == "rejected" for doc in d.documents)
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIM_INTAKE_HOME", str(home))
        engine = open_storage(Settings()).state.engine
    day = decisions[folio].evaluated_at.date()
    pages = {
        "report": (
            home / "reports" / folio / "report.html",
            [folio, "reporte de cumplimiento", "Historial de decisiones"],
        ),
        "notice": (home / "reports" / folio / "notice-001.html", [folio, "Documentos que faltan", "Qué hacer"]),
        "summary": (
            write_period_report(engine, day, day, tmp_path)["html"],
            ["Resumen de cumplimiento", "Rechazos por regla"],
        ),
    }
    for name, (html_file, texts) in pages.items():
        html = html_file.read_text()
        for text in texts:
            assert text in html, (name, text)
        png = tmp_path / f"{name}.png"
        _screenshot(html_file, png, tmp_path)
        assert png.stat().st_size > 5000 and _not_blank(png), name


def test_daily_compliance_report_flow_writes_to_storage(processed):
    import yaml

    from flows.report import daily_compliance_report

    home, decisions = processed
    day = next(iter(decisions.values())).evaluated_at.date()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIM_INTAKE_HOME", str(home))
        paths = daily_compliance_report(day, day)
    assert Path(paths["csv"]).parent == home / "reports" / "period"
    assert Path(paths["csv"]).stat().st_size > 100 and "Rechazos por regla" in Path(paths["html"]).read_text()
    deployments = yaml.safe_load((Path(__file__).resolve().parents[2] / "prefect.yaml").read_text())["deployments"]
    daily = next(d for d in deployments if d["name"] == "daily-compliance-report")
    assert daily["entrypoint"] == "flows/report.py:daily_compliance_report" and daily["schedules"][0]["cron"]
