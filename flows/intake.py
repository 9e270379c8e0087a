"""The intake flows: store -> evaluate -> record (application.intake) -> notify -> publish.

`intake-folio` runs one folio from its directory (the command line's local folders);
`intake-batch`, what the intake API hands workers, runs many folios in one flow run, each by its
id, from what the API accepted into the database and the blob store (no disk shared with the
API). `intake-folio` runs one task (`process_folio`, named after the folio) plus one for a
notice to send; `intake-batch` runs its folios without a task run each (see its docstring for
why and how each folio stays findable). Operator views (artifacts, tags) go out in the
background and the routed event is queued. Why this shape: Prefect's costs are per flow run (~0.1 s of API calls, up to 1 s
stopping the heartbeat thread) and per task run (~5 ms and server writes), against ~40 ms of
document work for a digital folio (bench/folio.py). The PDF report is rendered off this path,
by `folio-report-pdfs` (flows/report.py)."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import date
from pathlib import Path
from uuid import UUID

import tenacity
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.events import emit_event
from prefect.runtime import flow_run, task_run

from application.folio_dir import InputError
from application.intake import FolioOutcome, take_in_accepted, take_in_folio
from application.notice import notify_claimant as send_notice
from application.record import producing_run
from application.services import current_services
from domain.decision import Decision, Route
from domain.errors import ServiceError
from domain.folio import FolioManifest, ManifestError
from domain.masking import install_masking, mask_text
from notify.notices import NoticeNotSent
from reports.render import folio_markdown

log = logging.getLogger("claim_intake.flows")


def prepare() -> None:
    """Build this process's settings, rule set and storage now, in one thread: folios run in
    threads (the command line's `process DIR...`), and two threads building storage at once
    would open two engines and race to create its tables."""
    current_services()


def _not_input_error(task, task_run, state) -> bool:
    """Retry storage hiccups, never a folio that is unusable as sent."""
    try:
        state.result()
    except ManifestError:
        return False
    except Exception:  # noqa: BLE001 - anything else may be a storage hiccup: worth a retry
        return True
    return False


def _run_name() -> str:
    folio_dir = Path(flow_run.parameters.get("folio_dir", "folio"))
    try:  # never through a link, never blocking on a FIFO, never more than a manifest's limit
        with open(os.open(folio_dir / "folio.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return folio_dir.name
            return str(json.loads(handle.read(1_000_000))["folio"])[:64]
    except Exception:  # noqa: BLE001 - a run name only: an unreadable folio.json falls back to the folder's name
        return mask_text(folio_dir.name)


def _folio_task_name() -> str:
    return mask_text(Path(str(task_run.parameters.get("folio_dir", "folio"))).name)[:64]


@task(
    retries=2,
    retry_delay_seconds=[1, 3],
    retry_condition_fn=_not_input_error,
    cache_policy=NO_CACHE,
    task_run_name=_folio_task_name,
)
def process_folio(folio_dir: str, as_of: date | None = None, owner: str | None = None) -> FolioOutcome:
    """One folio: store every original, evaluate, record the decision and write its report
    (application.intake.take_in_folio).

    One task run per folio, named after it. Why not one per step: a task run costs ~5 ms of
    client time, a server write per state change and a walk over its parameters (a folio's
    bytes and models), together more than a digital folio's ~40 ms of work; the steps are plain
    functions (application) that log what they do. Retrying the whole folio is safe: originals
    are stored by digest, what was read is in the extraction cache, and the decision is recorded
    in one transaction. A folio that is unusable as sent is never retried. `owner`: who claims
    the folio id (the command line's operator); None keeps the folio's stored owner (an API
    upload, registered by the API when it accepted it; a re-upload)."""
    with producing_run(flow_run.get_id()):  # the console links the decision to this run
        return take_in_folio(Path(folio_dir), current_services(), as_of, owner)


@task(retries=2, retry_delay_seconds=[1, 3], cache_policy=NO_CACHE)
def notify_claimant(decision: Decision, manifest: FolioManifest) -> dict | None:
    """The pending-documents notice (application.notice): recorded, written beside the reports
    and uploaded before it is sent, so a send failure loses nothing; a failed send raises, and
    the task retries it."""
    sent = send_notice(decision, manifest, current_services())
    return asdict(sent) if sent is not None else None


def _artifact_key(folio: str) -> str:
    """Prefect artifact keys take lower-case letters, digits and dashes only."""
    return "folio-" + "".join(c if c.isalnum() else "-" for c in folio.lower())


def _emit_routed(decision: Decision, manifest: FolioManifest, report_paths: dict[str, str]) -> None:
    """The `claim-intake.folio.routed` event (queued by Prefect's events client, not awaited)."""
    run_id = flow_run.get_id()
    related = (
        [{"prefect.resource.id": f"prefect.flow-run.{run_id}", "prefect.resource.role": "flow-run"}] if run_id else []
    )
    emit_event(
        event="claim-intake.folio.routed",
        resource={
            "prefect.resource.id": f"claim-intake.folio.{decision.folio}",
            "prefect.resource.name": decision.folio,
        },
        related=related,
        payload={
            "folio": decision.folio,
            "route": decision.route.value,
            "ruleset": decision.ruleset,
            "claim_type": manifest.claim_type.value,
            "portal": manifest.portal,
            "codes": decision.codes(),
            "missing": [k.value for k in decision.missing],
            "report": report_paths.get("html"),
        },
    )


def _tag_run(decision: Decision, manifest: FolioManifest) -> None:
    """Tags to filter one-folio runs by (claim type, portal, route); a batch run holds many."""
    run_id = flow_run.get_id()
    if not run_id:
        return
    tags = {
        f"claim_type:{manifest.claim_type.value}",
        f"portal:{manifest.portal or 'none'}",
        f"route:{decision.route.value}",
    }
    with get_client(sync_client=True) as client:
        current = client.read_flow_run(UUID(run_id)).tags or []
        client.update_flow_run(UUID(run_id), tags=sorted(set(current) | tags))


def _publish(decision: Decision, report_paths: dict[str, str], notice: dict | None) -> None:
    """What operators see in Prefect per folio: a table of its documents and findings, and the
    markdown report with the reasons, the report files and the notice. File names are masked:
    claimants name files after their RFC or CLABE, and operators do not need those."""
    rows = [
        {
            "file": mask_text(d.file),
            "kind": d.kind.value,
            "status": d.status.value,
            "findings": ", ".join(f"{f.code} ({f.outcome.value})" for f in d.findings) or "-",
        }
        for d in decision.documents
    ]
    rows += [
        {
            "file": "(folio)",
            "kind": "-",
            "status": decision.route.value,
            "findings": mask_text(f"{f.code} ({f.outcome.value}) {f.message_es}"),
        }
        for f in decision.folio_findings
    ]
    key = _artifact_key(decision.folio)
    create_table_artifact(
        key=key[:100],
        table=rows,
        description=f"Folio {decision.folio} -> {decision.route.value} (reglas {decision.ruleset}); "
        f"reporte: {report_paths.get('html', '-')}",
    )
    paths = dict(report_paths)
    if notice:
        paths["notice"] = notice["html"]
    markdown = folio_markdown(decision, paths)
    if notice:
        markdown += f"\n\nAviso al reclamante: **{notice['status']}** (aviso {notice['id']})"
    create_markdown_artifact(
        key=(key + "-report")[:100], markdown=markdown, description=f"Folio {decision.folio}: {decision.route.value}"
    )


class _Publisher:
    """Artifacts and run tags are API round trips (~20 ms each against a busy server) that no
    decision waits on: they go out from one background thread, in order, while the next folio
    is read, and the flow run waits for them before it ends. A failure is logged and never
    fails a folio whose decision is already recorded; the routed event carries the same facts."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish")
        self._pending: list = []

    def submit(self, fn, *args) -> None:
        context = contextvars.copy_context()  # the flow run's context, so artifacts belong to it
        self._pending.append(self._pool.submit(context.run, fn, *args))

    def close(self) -> None:
        for future in self._pending:
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001 - an operator view, not the decision
                log.warning("publishing an operator view failed: %s: %s", type(exc).__name__, exc)
        self._pool.shutdown()

    def __enter__(self) -> _Publisher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _intake_one(outcome: FolioOutcome, publisher: _Publisher) -> FolioOutcome:
    """After intake-folio's task: a notice task when there is a notice to send, the routed event
    and the folio's two keyed artifacts (intake-batch does its own, lighter, in _batch_one)."""
    decision, paths = outcome.decision, outcome.report_paths
    notice = None
    if decision.route is Route.PENDING_DOCUMENTS:
        notice_state = notify_claimant(decision, outcome.manifest, return_state=True)
        notice = notice_state.result(raise_on_failure=False) if notice_state.is_completed() else None
        if notice_state.is_failed():  # never loses the decision: the notice row says failed, retried later
            notice = {"id": "-", "status": "failed", "html": "-"}
    _emit_routed(decision, outcome.manifest, paths)
    publisher.submit(_publish, decision, paths, notice)
    return outcome


def _publish_batch(rows: list[dict[str, str]]) -> None:
    counts = ", ".join(
        f"{route} {sum(r['route'] == route for r in rows)}" for route in sorted({r["route"] for r in rows})
    )
    create_table_artifact(key="intake-batch", table=rows, description=f"{len(rows)} folios: {counts}")


@flow(name="intake-folio", flow_run_name=_run_name, log_prints=False, persist_result=False)
def intake_folio(folio_dir: str, as_of: date | None = None, owner: str | None = None) -> Decision:
    """One folio from its directory to a queue, with the decision stored and published; the run
    is tagged with the folio's claim type, portal and route. `owner` as in process_folio."""
    install_masking()
    with _Publisher() as publisher:
        outcome = _intake_one(process_folio(folio_dir, as_of, owner), publisher)
        publisher.submit(_tag_run, outcome.decision, outcome.manifest)
    return outcome.decision


class BatchIncomplete(ServiceError):
    """Some folios of a batch failed for a reason that is not theirs (a reader pool that could
    not start, storage down past the retries): the run ends FAILED so that recover-undecided
    runs them again at once, instead of at its next scheduled pass."""


def _worth_retrying(exc: BaseException) -> bool:
    """Storage hiccups, never a folio that is unusable as sent (what process_folio's task retries)."""
    return not isinstance(exc, ManifestError | InputError)


_take_in_accepted = tenacity.retry(
    retry=tenacity.retry_if_exception(_worth_retrying),
    stop=tenacity.stop_after_attempt(3),
    wait=tenacity.wait_chain(tenacity.wait_fixed(1), tenacity.wait_fixed(3)),
    reraise=True,
)(take_in_accepted)


def _batch_one(folio: str, as_of: date | None) -> FolioOutcome:
    """One folio of a batch, without a task run of its own: evaluate and record it (retried on
    storage hiccups, like process_folio's task), send its notice, log and emit its route."""
    services = current_services()
    with producing_run(flow_run.get_id()):  # the console links the decision to this run
        outcome = _take_in_accepted(folio, services, as_of)
    if not outcome.recorded:  # an upload an earlier run decided (a recovery after a crash): it did the rest
        log.info("folio %s: upload %s was decided before; nothing new", folio, outcome.upload)
        return outcome
    decision = outcome.decision
    if decision.route is Route.PENDING_DOCUMENTS:
        try:
            send_notice(decision, outcome.manifest, services)
        except NoticeNotSent as exc:  # recorded as failed before it raised: the console resends it
            log.warning("folio %s: notice not sent: %s", folio, type(exc).__name__)
    _emit_routed(decision, outcome.manifest, outcome.report_paths)
    log.info("folio %s -> %s %s", folio, decision.route.value, " ".join(decision.codes()))
    return outcome


@flow(name="intake-batch", log_prints=False, persist_result=False)
def intake_batch(folios: list[str], as_of: date | None = None) -> dict[str, str]:
    """Several folios the intake API accepted, by id, in one flow run. Why batches: a process
    worker spends ~5 s of CPU starting a flow run, against ~30 ms of document work per digital
    folio; the intake API hands a worker a batch, so that is paid once per batch (api/trigger.py).
    One folio failing does not stop the others.

    Why no task run per folio here (intake-folio keeps its): a task run cost ~20-30 ms of this
    process's CPU (its state machine, walking its parameters and result) and ~50 ms of the
    Prefect server's, more than the folio's own work, so the deployed path ran at a fifth of the
    plain pipeline (bench/throughput.py). Each folio stays findable in Prefect by name with its
    route: the `claim-intake.folio.routed` event (resource `claim-intake.folio.<id>`, named after
    the folio; the route, codes and report in its payload), a log line of this run, and the
    run's `intake-batch` table artifact (folio, route, reasons, report)."""
    install_masking()
    routes: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    undone: list[str] = []  # failed for a reason that is not the folio's: worth running again
    with _Publisher() as publisher:
        for folio in folios:
            try:
                outcome = _batch_one(folio, as_of)
            except Exception as exc:  # noqa: BLE001 - logged with the folio; go on with the rest
                log.error("folio %s failed: %s: %s", mask_text(folio), type(exc).__name__, mask_text(str(exc)))
                if _worth_retrying(exc):
                    undone.append(folio)
                routes[folio] = f"failed: {type(exc).__name__}"
                rows.append(
                    {"folio": mask_text(folio), "route": "failed", "reasons": type(exc).__name__, "report": "-"}
                )
                continue
            decision = outcome.decision
            routes[decision.folio] = decision.route.value
            rows.append(
                {
                    "folio": decision.folio,
                    "route": decision.route.value,
                    "reasons": (mask_text("; ".join(decision.reasons())) or "-")
                    + ("" if outcome.recorded else " (decidido antes: nada nuevo)"),
                    "report": outcome.report_paths.get("html", "-"),
                }
            )
        if rows:
            publisher.submit(_publish_batch, rows)
    if undone:  # the run ends FAILED, and the recovery automation runs them again at once
        raise BatchIncomplete(
            f"{len(undone)} of {len(folios)} folio(s) not decided for a reason that is not theirs "
            f"(a storage or reader failure): {', '.join(mask_text(f) for f in undone[:10])}"
        )
    return routes
