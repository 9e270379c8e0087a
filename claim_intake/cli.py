"""`claim-intake`: the operator's command line (CONTRACT.md defines `process`)."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

# Quiet, offline Prefect unless the operator configured otherwise; set before Prefect imports.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Intake of medical-expense claim folios.")
queue_app = typer.Typer(no_args_is_help=True, help="Inspect the routing queues.")
app.add_typer(queue_app, name="queue")
err = Console(stderr=True)
out = Console()


def _fail_input(message: str, as_json: bool) -> None:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    if as_json:
        print(json.dumps({"error": {"code": "INPUT", "message": message}}, ensure_ascii=False))
    raise typer.Exit(2)


def _run(folio_dir: Path, as_of: date | None):
    """One flow run. Heartbeats exist to detect crashed runs under a worker; a CLI run is
    watched by its operator, and each heartbeat thread costs up to a second at exit."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.intake import intake_folio

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return intake_folio(str(folio_dir), as_of)


@app.command()
def process(
    folio_dirs: Annotated[list[Path], typer.Argument(help="One or more folio directories.")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Intake date YYYY-MM-DD (default: received_at).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
) -> None:
    """Store, classify, extract, validate and route folios through the intake-folio flow."""
    from claim_intake.folio import ManifestError

    as_of_date = None
    if as_of:
        try:
            as_of_date = date.fromisoformat(as_of)
        except ValueError:
            _fail_input(f"--as-of: not a date YYYY-MM-DD: {as_of!r}", as_json)
    for folio_dir in folio_dirs:  # fail fast, before Prefect starts, on what is plainly unusable
        if not folio_dir.is_dir():
            _fail_input(f"{folio_dir}: no such folio directory", as_json)
        if not (folio_dir / "folio.json").is_file():
            _fail_input(f"{folio_dir / 'folio.json'}: missing (every folio needs a folio.json)", as_json)
    decisions = []
    try:
        with Progress(console=err, transient=True, disable=len(folio_dirs) < 2) as progress:
            bar = progress.add_task("folios", total=len(folio_dirs))
            for folio_dir in folio_dirs:
                decisions.append(_run(folio_dir, as_of_date))
                progress.advance(bar)
    except ManifestError as exc:
        _fail_input(str(exc), as_json)
    except Exception as exc:  # a bug, not the input: exit 1 with the reason
        logging.getLogger("claim_intake").exception("pipeline failed")
        err.print(f"[red]pipeline failed:[/red] {type(exc).__name__}: {exc}", highlight=False)
        raise typer.Exit(1)
    if as_json:
        for decision in decisions:
            print(decision.model_dump_json(indent=2 if len(decisions) == 1 else None))
    else:
        out.print(routing_table(decisions))


def routing_table(decisions) -> Table:
    table = Table(title="Routing", show_lines=False)
    table.add_column("folio")
    table.add_column("route")
    table.add_column("reasons")
    for d in decisions:
        style = {"adjudication": "green", "pending_documents": "red", "awaiting_sat": "yellow"}[d.route.value]
        table.add_row(d.folio, f"[{style}]{d.route.value}[/{style}]", "; ".join(d.reasons()) or "-")
    return table


@app.command()
def demo(
    samples_dir: Annotated[Path, typer.Option(help="Folder of sample folios.")] = Path("samples/folios"),
) -> None:
    """Run every sample folio through the flow at its own intake date; print the routing and
    whether it matches the sample's expectation; write the reports."""
    dirs = sorted(p for p in samples_dir.iterdir() if (p / "folio.json").is_file())
    if not dirs:
        _fail_input(f"{samples_dir}: no sample folios (run: python -m samples.generate)", False)
    table = Table(title=f"Sample folios ({len(dirs)})")
    for col in ("folio", "route", "reasons", "expected"):
        table.add_column(col)
    mismatches = 0
    with Progress(console=err, transient=True) as progress:
        bar = progress.add_task("folios", total=len(dirs))
        for folio_dir in dirs:
            expected_file = folio_dir.parent / f"{folio_dir.name}.expected.json"
            expected = json.loads(expected_file.read_text()) if expected_file.is_file() else {}
            as_of = date.fromisoformat(expected["as_of"]) if expected.get("as_of") else None
            decision = _run(folio_dir, as_of)
            ok = not expected or (decision.route.value == expected["route"] and decision.codes() == sorted(expected["codes"]))
            mismatches += not ok
            style = {"adjudication": "green", "pending_documents": "red", "awaiting_sat": "yellow"}[decision.route.value]
            table.add_row(decision.folio, f"[{style}]{decision.route.value}[/{style}]",
                          "; ".join(decision.reasons()) or "-", "[green]ok[/green]" if ok else "[red]MISMATCH[/red]")
            progress.advance(bar)
    out.print(table)
    from claim_intake.config import Settings

    out.print(f"Reports written under {Settings().home.resolve() / 'reports'}")
    if mismatches:
        err.print(f"[red]{mismatches} folio(s) did not route as expected[/red]")
        raise typer.Exit(1)


@queue_app.command("list")
def queue_list(name: Annotated[str, typer.Argument(help="adjudication | pending_documents | awaiting_sat")]) -> None:
    """Folios waiting in a queue, oldest first."""
    from claim_intake.config import Settings
    from storage import open_storage

    try:
        rows = open_storage(Settings()).state.queue(name)
    except ValueError as exc:
        _fail_input(str(exc), False)
    table = Table(title=f"{name} ({len(rows)})")
    for col in ("folio", "claim type", "portal", "since"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["folio"], r["claim_type"], r["portal"] or "-", str(r["entered_at"]))
    out.print(table)


@app.command()
def history(folio: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every decision ever made for a folio, oldest first."""
    from claim_intake.config import Settings
    from storage import open_storage

    decisions = open_storage(Settings()).state.history(folio)
    if not decisions:
        _fail_input(f"no decisions for folio {folio!r}", as_json)
    if as_json:
        print(json.dumps([d.model_dump(mode="json") for d in decisions], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"History of {folio}")
    for col in ("#", "evaluated at", "route", "ruleset", "codes"):
        table.add_column(col)
    for i, d in enumerate(decisions, 1):
        table.add_row(str(i), str(d.evaluated_at), d.route.value, d.ruleset, ", ".join(d.codes()) or "-")
    out.print(table)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
