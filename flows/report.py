"""Report flows, off the routing path.

`daily-compliance-report`: yesterday's (or any period's) findings as a CSV and an HTML summary
with charts, under CLAIM_INTAKE_HOME/reports/period/. Read-only over the decision history, so
running it twice for a period writes the same files.

`folio-report-pdfs`: the PDF of every folio report whose HTML changed since its PDF was made.
The intake flows write the HTML and leave the PDF (~0.5 s, ten times a digital folio's document
work) to this flow, scheduled every few minutes; running it when nothing changed renders nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from application.record import upload_reports
from application.services import current_services
from reports.render import PDF_SOURCE, folios_without_current_pdf, write_pending_pdf, write_period_report


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_report(start: date, end: date, out_dir: str | None) -> dict[str, str]:
    storage = current_services().storage
    paths = write_period_report(
        storage.state.engine, start, end, Path(out_dir) if out_dir else storage.reports_dir / "period"
    )
    return {k: str(v) for k, v in paths.items()}


@flow(name="daily-compliance-report", log_prints=False, persist_result=False)
def daily_compliance_report(
    date_from: date | None = None, date_to: date | None = None, out_dir: str | None = None
) -> dict[str, str]:
    """Default period: yesterday (UTC), the day the scheduled run closes."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    start, end = date_from or yesterday, date_to or date_from or yesterday
    paths = write_report(start, end, out_dir)
    create_markdown_artifact(
        key="daily-compliance-report",
        markdown=f"# Cumplimiento {start} a {end}\n\n" + "\n".join(f"- {k}: `{v}`" for k, v in sorted(paths.items())),
        description=f"Compliance report {start}..{end}",
    )
    return paths


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def render_folio_pdf(folio: str) -> str:
    storage = current_services().storage
    path = write_pending_pdf(storage.reports_dir / folio)
    # beside the originals, like the HTML; the note of its source lets a reader tell it is current
    upload_reports(storage, folio, [path, path.with_name(PDF_SOURCE)])
    return str(path)


@flow(name="folio-report-pdfs", log_prints=False, persist_result=False)
def folio_report_pdfs(folios: list[str] | None = None) -> dict[str, str]:
    """PDFs for the given folios, or for every folio whose report changed. One folio failing to
    render does not stop the others; its failed task run says why, and the next run retries it."""
    storage = current_services().storage
    pending = folios if folios is not None else folios_without_current_pdf(storage.reports_dir)
    states = {folio: render_folio_pdf(folio, return_state=True) for folio in pending}
    return {
        folio: state.result() if state.is_completed() else f"failed: {state.message}" for folio, state in states.items()
    }
