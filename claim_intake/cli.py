"""`claim-intake`: the operator's command line (CONTRACT.md defines `process`).

Each command imports what it needs inside its own function (marked `# lazy:`): Prefect, the
flows, pydantic settings and storage cost seconds to import, and `--help`, `server status` or a
refused argument must answer at once (issue 15). Only what every command uses is imported here."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Annotated, NoReturn, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from claim_intake.cli_errors import (
    EXIT_INPUT,
    exit_code,
    held_run_errors,
    home_failure,
    home_failure_line,
    printable,
    quiet_exit,
)
from claim_intake.local_server import ensure_running, server_dir, status, stop
from domain.errors import InputError, ServiceError
from domain.masking import MaskedStream, mask_text


class _App(typer.Typer):
    """Any command, not only `process`: a home that cannot be written is one line and exit 1."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:  # re-raised unless the home cannot be written
            # lazy: not at start-up (module docstring)
            from domain.config import current_settings

            home = current_settings().home
            reason = home_failure(exc, home)
            if not reason:
                raise
            quiet_exit()
            err.print(home_failure_line(home, reason), markup=False, highlight=False, soft_wrap=True)
            sys.exit(1)


app = _App(add_completion=False, no_args_is_help=True, help="Intake of medical-expense claim folios.")


@app.callback()
def _quiet_prefect() -> None:
    """Quiet, offline Prefect unless the operator configured otherwise. Runs before any command,
    hence before Prefect is first imported (every command imports it lazily); importing this
    module changes nothing."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


queue_app = typer.Typer(no_args_is_help=True, help="Inspect the routing queues.")
app.add_typer(queue_app, name="queue")
err = Console(file=cast(IO[str], MaskedStream()))  # operators' stderr, identifiers masked; Console only writes
out = Console()


def _fail_input(message: str, as_json: bool) -> NoReturn:
    message = printable(message)  # a path from the command line may hold bytes that are not UTF-8
    quiet_exit()
    err.print(f"[red]error:[/red] {escape(message)}", markup=True, highlight=False, soft_wrap=True)
    if as_json:
        print(json.dumps({"error": {"code": "INPUT", "message": message}}, ensure_ascii=False))
    raise typer.Exit(EXIT_INPUT)


def _fail_run(exc: Exception, held) -> None:
    """Exit 1. A home that cannot be written (disk full, read-only, not a directory) is said in
    one line, what to do included; anything else is a bug: its traceback and Prefect's are shown."""
    # lazy: not at start-up (module docstring)
    from domain.config import current_settings

    home = current_settings().home
    reason = home_failure(exc, home)
    if reason:
        quiet_exit()
        err.print(home_failure_line(home, reason), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    held.release()
    logging.getLogger("claim_intake").exception("pipeline failed")
    err.print(f"[red]pipeline failed:[/red] {type(exc).__name__}: {exc}", highlight=False)
    raise typer.Exit(1)


def _raise_first_failure(results: list, held, as_json: bool) -> None:
    """After folios ran: an input error (exit 2) first, then any other failure (exit 1), each
    said as `_fail_input` / `_fail_run` say it."""
    for exc in results:
        if isinstance(exc, Exception) and exit_code(exc) == EXIT_INPUT:
            _fail_input(str(exc), as_json)
    for exc in results:
        if isinstance(exc, Exception):
            try:
                raise exc
            except Exception as raised:  # noqa: BLE001 - raised again so that _fail_run logs the bug with its traceback
                _fail_run(raised, held)


def _as_of(value: str | None, as_json: bool) -> date | None:
    """--as-of as a date, or exit 2 naming the bad value."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail_input(f"--as-of: not a date YYYY-MM-DD: {value!r}", as_json)


def _prefect_api() -> None:
    """Point this command at a Prefect server that outlives it, before Prefect is imported.

    The operator's PREFECT_API_URL if set; else this home's local server (claim_intake.local_server),
    started on first use and reused: Prefect's own fallback is a temporary server per command,
    seconds of start-up each time and runs nobody can look at afterwards.
    CLAIM_INTAKE_PREFECT_SERVER=ephemeral keeps that fallback (a one-shot container, say)."""
    if os.environ.get("PREFECT_API_URL") or os.environ.get("CLAIM_INTAKE_PREFECT_SERVER") == "ephemeral":
        return
    # lazy: not at start-up (module docstring)
    from domain.config import Settings

    try:
        info = ensure_running(Settings().home)
    except ServiceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    os.environ["PREFECT_API_URL"] = info.url


@contextmanager
def _cli_flow_settings():
    """Prefect settings for flow runs started from the command line: no flow heartbeats.
    Heartbeats exist to detect crashed runs under a worker; a CLI run is watched by its operator,
    and each heartbeat thread costs up to a second at exit. The settings are copied without
    re-validation: Prefect's `temporary_settings` re-reads the environment and every profile
    (~0.45 s of CPU per call here, more than a digital folio's whole flow run)."""
    # lazy: not at start-up (module docstring)
    import prefect.context

    current = prefect.context.get_settings_context()
    flows = current.settings.flows.model_copy(update={"heartbeat_frequency": None})
    settings = current.settings.model_copy(update={"flows": flows})
    with prefect.context.SettingsContext(profile=current.profile, settings=settings):
        yield


def _flow_run(flow, *args):
    """One flow run from the command line (see _cli_flow_settings)."""
    # lazy: not at start-up (module docstring)
    from claim_intake.ephemeral_server import start_prefect_server

    start_prefect_server()  # Prefect's own temporary server, if any (ephemeral mode), tied to this command
    with _cli_flow_settings():
        return flow(*args)


def _operator() -> str:
    """Who owns what the command line creates: the local operator, never a portal. A folio id a
    portal (or anyone else) already has is refused with exit 2, "folio id already taken", so the
    command line can neither overwrite a portal's folio nor hand the portal the operator's."""
    # lazy: not at start-up (module docstring)
    from storage.schema import OPERATOR

    return OPERATOR


@contextmanager
def _one_api_write_at_a_time():
    """While folios run in threads, this process sends Prefect one write (POST/PATCH/PUT/DELETE)
    at a time. Prefect's server on SQLite answers writes that collide (two flow runs created or
    moved at once: SQLITE_BUSY on the upgrade of a read transaction) with a 503, which its client
    retries after ~2 s: measured, that cost more than the second thread gained. A write takes
    milliseconds, reads and the documents' work still overlap. Prefect's sync client only."""
    # lazy: not at start-up (module docstring)
    from prefect.client.base import PrefectHttpxSyncClient

    send, lock = PrefectHttpxSyncClient.send, threading.Lock()

    def send_serialised(self, request, *args, **kwargs):
        if request.method == "GET":
            return send(self, request, *args, **kwargs)
        with lock:
            return send(self, request, *args, **kwargs)

    PrefectHttpxSyncClient.send = send_serialised  # type: ignore[method-assign] # the patch is the point: see above
    try:
        yield
    finally:
        PrefectHttpxSyncClient.send = send  # type: ignore[method-assign] # the original put back


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _size_reader_pool(folio_dirs: list[Path]) -> None:
    """Readers only as many as the work can use: one per file that is read in a reader process
    (anything but XML), at most one per CPU. Set before the pool exists; an operator's
    CLAIM_INTAKE_READ_WORKERS wins."""
    if os.environ.get("CLAIM_INTAKE_READ_WORKERS"):
        return
    sandboxed = sum(
        1
        for d in folio_dirs
        for f in d.iterdir()
        if f.is_file() and f.name != "folio.json" and f.suffix.lower() != ".xml"
    )
    os.environ["CLAIM_INTAKE_READ_WORKERS"] = str(max(1, min(_cpus(), sandboxed)))


def _run_folios(jobs: list[tuple[Path, date | None, str | None]], advance=lambda: None) -> list:
    """Each folio through its own intake-folio flow run (named after the folio, tagged with its
    route), up to one folio per CPU at a time in threads of this process: the document reading
    runs in reader processes and the rest is mostly waiting on Prefect's API and SQLite, so two
    threads keep both cores busy. Returns, in the order of `jobs`, each Decision or the exception
    that folio raised. Each job: folio directory, as-of date, owner (None: a re-evaluation under
    the folio's stored owner, as `add` does)."""
    _size_reader_pool([d for d, _, _ in jobs])
    # lazy: not at start-up (module docstring)
    from application.services import shutdown
    from claim_intake.ephemeral_server import start_prefect_server
    from flows.intake import intake_folio, prepare

    start_prefect_server()  # ephemeral mode only: from the main thread, tied to this command

    prepare()  # settings, rule set and storage built once, before threads race to build them
    results: list = [None] * len(jobs)
    workers = min(len(jobs), _cpus())
    with (
        _cli_flow_settings(),
        _one_api_write_at_a_time(),
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="folio") as pool,
    ):
        futures = {
            pool.submit(contextvars.copy_context().run, intake_folio, str(d), a, o): i
            for i, (d, a, o) in enumerate(jobs)
        }
        for future in as_completed(futures):
            try:
                results[futures[future]] = future.result()
            except Exception as exc:  # noqa: BLE001 - one folio's failure is its result; the others go on
                results[futures[future]] = exc
            advance()
    shutdown()  # the reader pool: this command's folios are read
    return results


@app.command()
def process(
    folio_dirs: Annotated[list[Path], typer.Argument(help="One or more folio directories.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Intake date YYYY-MM-DD (default: received_at).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the decision as JSON (several folios: one object per line).")
    ] = False,
) -> None:
    """Store, classify, extract, validate and route folios through the intake-folio flow, several
    at a time (up to one per CPU)."""

    as_of_date = _as_of(as_of, as_json)
    for folio_dir in folio_dirs:  # fail fast, before Prefect starts, on what is plainly unusable
        if not folio_dir.is_dir():
            _fail_input(f"{folio_dir}: no such folio directory", as_json)
        if not os.path.lexists(folio_dir / "folio.json"):  # a link is refused by the reader, naming it
            _fail_input(f"{folio_dir / 'folio.json'}: missing (every folio needs a folio.json)", as_json)
        if printable(str(folio_dir)) != str(folio_dir):  # no run record, log or report can carry it
            _fail_input(f"{printable(str(folio_dir))}: the directory name is not valid UTF-8; rename it", as_json)
    _prefect_api()
    with held_run_errors() as held:
        with Progress(console=err, transient=True, disable=len(folio_dirs) < 2) as progress:
            bar = progress.add_task("folios", total=len(folio_dirs))
            results = _run_folios([(d, as_of_date, _operator()) for d in folio_dirs], lambda: progress.advance(bar))
        _raise_first_failure(results, held, as_json)
    if as_json:
        for decision in results:
            print(decision.model_dump_json(indent=2 if len(results) == 1 else None))
    else:
        out.print(routing_table(results))


def routing_table(decisions) -> Table:
    table = Table(title="Routing", show_lines=False)
    table.add_column("folio")
    table.add_column("route")
    table.add_column("reasons")
    for d in decisions:
        style = {"adjudication": "green", "pending_documents": "red", "awaiting_sat": "yellow"}[d.route.value]
        table.add_row(d.folio, f"[{style}]{d.route.value}[/{style}]", mask_text("; ".join(d.reasons())) or "-")
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
    expectations = [_expectation(d) for d in dirs]
    _prefect_api()
    with Progress(console=err, transient=True) as progress:
        bar = progress.add_task("folios", total=len(dirs))
        results = _run_folios(
            [(d, _expected_as_of(e), _operator()) for d, e in zip(dirs, expectations, strict=True)],
            lambda: progress.advance(bar),
        )
    mismatches = 0
    for folio_dir, expected, decision in zip(dirs, expectations, results, strict=True):
        if isinstance(decision, BaseException):
            err.print(
                f"[red]{folio_dir.name}: pipeline failed:[/red] {type(decision).__name__}: {decision}",
                highlight=False,
                soft_wrap=True,
            )
            mismatches += 1
            table.add_row(folio_dir.name, "[red]failed[/red]", type(decision).__name__, "[red]MISMATCH[/red]")
            continue
        ok = not expected or (
            decision.route.value == expected["route"] and decision.codes() == sorted(expected["codes"])
        )
        mismatches += not ok
        style = {"adjudication": "green", "pending_documents": "red", "awaiting_sat": "yellow"}[decision.route.value]
        table.add_row(
            decision.folio,
            f"[{style}]{decision.route.value}[/{style}]",
            mask_text("; ".join(decision.reasons())) or "-",
            "[green]ok[/green]" if ok else "[red]MISMATCH[/red]",
        )
    out.print(table)
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
    from flows.report import folio_report_pdfs

    pdfs = _flow_run(folio_report_pdfs)  # off the routing path, as the folio-report-pdfs deployment does
    failed = sorted(f for f, v in pdfs.items() if v.startswith("failed"))
    out.print(
        f"Reports written under {Settings().home.resolve() / 'reports'} "
        f"({len(pdfs) - len(failed)} PDFs rendered{', failed: ' + ', '.join(failed) if failed else ''})"
    )
    _print_console_login()
    if mismatches:
        err.print(f"[red]{mismatches} folio(s) did not route as expected[/red]")
        raise typer.Exit(1)


DEMO_USER = "demo"


def _print_console_login() -> None:
    """Where the console is and a login to try it with: the demo operator, created on the first
    demo with a random password that is printed once (only its argon2 hash is stored)."""
    # lazy: not at start-up (module docstring)
    import secrets

    from domain.config import Settings
    from storage import open_storage
    from storage.users import UserError, create_user

    password = secrets.token_urlsafe(12)
    try:
        create_user(open_storage(Settings()).state.engine, DEMO_USER, "operator", password)
        login = f"user {DEMO_USER}, password {password} (operator)"
    except UserError:  # an earlier demo made it: its password was printed then
        login = (
            f"user {DEMO_USER} (its password was printed by the first demo; `claim-intake user create` makes others)"
        )
    out.print(
        "Console: `claim-intake api serve`, then http://127.0.0.1:8000/console  " + login,
        highlight=False,
        soft_wrap=True,
        markup=False,
    )


def _expectation(folio_dir: Path) -> dict:
    expected_file = folio_dir.parent / f"{folio_dir.name}.expected.json"
    return json.loads(expected_file.read_text()) if expected_file.is_file() else {}


def _expected_as_of(expected: dict) -> date | None:
    return date.fromisoformat(expected["as_of"]) if expected.get("as_of") else None


@queue_app.command("list")
def queue_list(name: Annotated[str, typer.Argument(help="adjudication | pending_documents | awaiting_sat")]) -> None:
    """Folios waiting in a queue, oldest first."""
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
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
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
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


api_key_app = typer.Typer(no_args_is_help=True, help="Per-portal keys of the intake API (stored hashed).")
app.add_typer(api_key_app, name="api-key")
api_app = typer.Typer(no_args_is_help=True, help="The HTTP intake API (docs/deploy.md).")
app.add_typer(api_app, name="api")
db_app = typer.Typer(no_args_is_help=True, help="The state database (SQLite or PostgreSQL).")
app.add_typer(db_app, name="db")
server_app = typer.Typer(no_args_is_help=True, help="The local Prefect server of this home (CLAIM_INTAKE_HOME).")
app.add_typer(server_app, name="server")
user_app = typer.Typer(
    no_args_is_help=True, help="Accounts of the web console (/console): operator, compliance, admin."
)
app.add_typer(user_app, name="user")


def _home() -> Path:
    # lazy: not at start-up (module docstring)
    from domain.config import Settings

    return Settings().home


def _describe(info) -> str:
    minutes, seconds = divmod(int(info.uptime_s()), 60)
    hours, minutes = divmod(minutes, 60)
    return f"pid {info.pid}, {info.ui_url} (API {info.url}), up {hours}h{minutes:02d}m{seconds:02d}s"


@server_app.command("start")
def server_start() -> None:
    """Start this home's Prefect server (processing starts it on first use anyway); it keeps
    running, with every flow run in its UI, until `claim-intake server stop`."""
    already = status(_home())
    try:
        info = ensure_running(_home())
    except ServiceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    out.print(
        f"{'already running' if already and already.pid == info.pid else 'started'}: {_describe(info)}",
        highlight=False,
        soft_wrap=True,
    )


@server_app.command("status")
def server_status() -> None:
    """What is running: this home's Prefect server (pid, URL, uptime), or "not running"; and the
    server an operator's PREFECT_API_URL names, which commands use instead."""
    if os.environ.get("PREFECT_API_URL"):
        out.print(
            f"PREFECT_API_URL is set: commands use {os.environ['PREFECT_API_URL']}", highlight=False, soft_wrap=True
        )
    info = status(_home())
    if info is None:
        out.print(f"local Prefect server: not running ({server_dir(_home())})", highlight=False, soft_wrap=True)
        raise typer.Exit(3)
    out.print(
        f"local Prefect server: running, {_describe(info)}; log {server_dir(_home()) / 'server.log'}",
        highlight=False,
        soft_wrap=True,
    )


@server_app.command("stop")
def server_stop() -> None:
    """Stop this home's Prefect server (its runs stay in its database for the next start)."""
    info = stop(_home())
    out.print(
        f"stopped: pid {info.pid}" if info else "local Prefect server: not running", highlight=False, soft_wrap=True
    )


@api_key_app.command("create")
def api_key_create(portal: Annotated[str, typer.Argument(help="Portal name, e.g. online-services.")]) -> None:
    """Create a key for PORTAL and print it once; only its hash is stored."""
    # lazy: not at start-up (module docstring)
    from api.keys import create_key
    from domain.config import Settings
    from storage import open_storage

    try:
        key = create_key(open_storage(Settings()).state.engine, portal)
    except ValueError as exc:
        _fail_input(str(exc), False)
    print(key)


@api_key_app.command("revoke")
def api_key_revoke(
    key: Annotated[str, typer.Argument(help="The key (cik_<id>.<secret>) or its id, the 16 hex digits after cik_.")],
) -> None:
    """Revoke a key: requests with it are refused (401) from now on. Exit 2 for an unknown or
    already revoked key."""
    from api.keys import key_id_of, revoke_key
    from domain.config import Settings
    from storage import open_storage

    key_id = key_id_of(key)
    if not key_id or not revoke_key(open_storage(Settings()).state.engine, key_id):
        _fail_input("no such active API key (give the key or its id, the 16 hex digits after cik_)", False)
    out.print(f"revoked: cik_{key_id}", highlight=False)


@user_app.command("create")
def user_create(
    name: Annotated[str, typer.Argument(help="User name, e.g. ana.lopez.")],
    role: Annotated[str, typer.Option("--role", help="operator | compliance | admin")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input instead of a prompt.")
    ] = False,
) -> None:
    """Create a console user; the password (10 characters or more) is asked for, or read from
    stdin, and stored as an argon2id hash. Exit 2 for a taken name, a bad role or password."""
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
    from storage import open_storage
    from storage.users import UserError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(open_storage(Settings()).state.engine, name, role, password)
    except UserError as exc:
        _fail_input(str(exc), False)
    out.print(f"created: {user.name} ({user.role})", highlight=False)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable a console user and end their sessions (the account stays in the audit trail).
    Exit 2 when no active user has the name."""
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
    from storage import open_storage
    from storage.users import disable_user

    if not disable_user(open_storage(Settings()).state.engine, name):
        _fail_input(f"no active console user {name!r}", False)
    out.print(f"disabled: {name}", highlight=False)


@api_app.command("serve")
def api_serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the intake API with uvicorn, with deadlines for slow clients (api/serving.py)."""
    # lazy: not at start-up (module docstring)
    import uvicorn

    from api.serving import TimedH11Protocol

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        http=TimedH11Protocol,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to CLAIM_INTAKE_DATABASE_URL (or the SQLite default)."""
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
    from storage.migrations import upgrade

    upgrade(Settings().db_url)
    out.print("database at the newest schema revision")


@app.command()
def add(
    folio: Annotated[str, typer.Argument(help="Folio id already processed, e.g. RB-2026-000504.")],
    files: Annotated[list[Path], typer.Argument(help="New or corrected documents.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Intake date YYYY-MM-DD (default: received_at).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the new decision as JSON.")] = False,
) -> None:
    """Re-upload: store FILES in FOLIO and re-evaluate the whole folio (new files and the ones
    it already had) through the intake-folio flow; a decision is appended and the folio moves
    between queues. Files already read under this rule set come from the extraction cache."""
    # lazy: not at start-up (module docstring)
    from application.reupload import add_files
    from domain.config import Settings
    from storage import open_storage

    as_of_date = _as_of(as_of, as_json)
    settings = Settings()
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in folio)
    with held_run_errors() as held:
        try:
            folio_dir = add_files(folio, files, open_storage(settings), Path(settings.home) / "reevaluate" / safe)
        except InputError as exc:
            _fail_input(str(exc), as_json)
        except Exception as exc:  # noqa: BLE001 - any other failure is a run failure: _fail_run says which
            _fail_run(exc, held)
        _prefect_api()
        results = _run_folios([(folio_dir, as_of_date, None)])
        _raise_first_failure(results, held, as_json)
    decision = results[0]
    if as_json:
        print(decision.model_dump_json(indent=2))
    else:
        out.print(routing_table([decision]))


@app.command()
def notices(
    folio: Annotated[str | None, typer.Option("--folio", help="Only this folio.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="pending | sent | failed")] = None,
    retry: Annotated[bool, typer.Option("--retry", help="Send again every pending or failed notice shown.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Pending-documents notices and whether they were sent; --retry sends the unsent ones."""
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
    from notify.notices import SENT, NoticeNotSent, NoticeStore, deliver
    from storage import open_storage

    settings = Settings()
    store = NoticeStore(open_storage(settings).state.engine)
    rows = store.list(folio=folio, status=status)
    if retry:
        for row in rows:
            if row["status"] != SENT:
                try:
                    deliver(store, row["id"], settings)
                except NoticeNotSent as exc:
                    err.print(f"[yellow]not sent:[/yellow] {exc}", highlight=False)
        rows = [store.get(r["id"]) for r in rows]
    shown = [
        {
            k: (str(v) if k in ("created_at", "sent_at", "decision_evaluated_at") and v else v)
            for k, v in r.items()
            if k not in ("body_text", "body_html")
        }
        for r in rows
    ]
    if as_json:
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Notices ({len(rows)})")
    for col in ("id", "folio", "recipient", "status", "attempts", "created", "last error"):
        table.add_column(col)
    for r in shown:
        table.add_row(
            str(r["id"]),
            r["folio"],
            r["recipient"] or "-",
            r["status"],
            str(r["attempts"]),
            (r["created_at"] or "")[:19],
            r["last_error"] or "-",
        )
    out.print(table)


@app.command()
def report(
    folio: Annotated[str | None, typer.Argument(help="A folio: (re)write its HTML and PDF report.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Period start YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Period end YYYY-MM-DD (inclusive).")] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: home/reports/period).")
    ] = None,
) -> None:
    """Compliance reports: for a FOLIO its HTML + PDF page; for --from/--to a CSV of every
    finding and an HTML summary with charts."""
    # lazy: not at start-up (module docstring)
    from domain.config import Settings
    from reports.render import write_folio_report, write_period_report
    from storage import open_storage

    storage = open_storage(Settings())
    if folio:
        history = storage.state.history(folio)
        if not history:
            _fail_input(f"no decisions for folio {folio!r}", False)
        manifest = storage.state.manifest(folio) if hasattr(storage.state, "manifest") else None
        paths = write_folio_report(
            history[-1], storage.reports_dir, len(history), history=history, manifest=manifest, pdf=True
        )
    else:
        if not (date_from and date_to):
            _fail_input("give a FOLIO, or both --from and --to (YYYY-MM-DD)", False)
        try:
            start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
        except ValueError:
            _fail_input(f"--from/--to: not dates YYYY-MM-DD: {date_from!r}, {date_to!r}", False)
        if end < start:
            _fail_input(f"--to {end} is before --from {start}", False)
        paths = write_period_report(storage.state.engine, start, end, out_dir or storage.reports_dir / "period")
    for kind, path in paths.items():
        out.print(f"{kind}: {path}")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
