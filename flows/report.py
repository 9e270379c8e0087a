"""The `daily-compliance-report` flow: yesterday's (or any period's) findings as a CSV and an HTML
summary with charts, written under CLAIM_INTAKE_HOME/reports/period/.

Scheduled once a day by the deployment of the same name (prefect.yaml). Read-only over the
decision history, so running it twice for a period writes the same files."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from claim_intake.config import Settings
from claim_intake.reports import write_period_report
from storage import open_storage


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_report(start: date, end: date, out_dir: str | None) -> dict[str, str]:
    storage = open_storage(Settings())
    paths = write_period_report(storage.state.engine, start, end, Path(out_dir) if out_dir else storage.reports_dir / "period")
    return {k: str(v) for k, v in paths.items()}


@flow(name="daily-compliance-report", log_prints=False, persist_result=False)
def daily_compliance_report(date_from: date | None = None, date_to: date | None = None,
                            out_dir: str | None = None) -> dict[str, str]:
    """Default period: yesterday (UTC), the day the scheduled run closes."""
    yesterday = datetime.now(timezone.utc).date() - timedelta(days=1)
    start, end = date_from or yesterday, date_to or date_from or yesterday
    paths = write_report(start, end, out_dir)
    create_markdown_artifact(
        key="daily-compliance-report",
        markdown=f"# Cumplimiento {start} a {end}\n\n" + "\n".join(f"- {k}: `{v}`" for k, v in sorted(paths.items())),
        description=f"Compliance report {start}..{end}",
    )
    return paths
