"""The `intake-folio` flow: store -> packaging -> read -> validate -> decide -> record.

A task per folio stage, not per document: each task run costs milliseconds of client time and
tens of server CPU, so per-line tasks would cost more than the work. Only the steps that touch
storage retry, because only there can a second attempt succeed; reading and validating are
deterministic."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from claim_intake import pipeline
from claim_intake.config import Ruleset, Settings, current_settings, load_ruleset
from claim_intake.decision import Decision, Route
from claim_intake.folio import ManifestError
from claim_intake.masking import install_masking
from claim_intake.reports import write_folio_report
from storage import Storage, open_storage


@lru_cache(maxsize=4)
def _storage(home: str, db_url: str) -> Storage:
    return open_storage(Settings(home=Path(home), database_url=db_url))


@lru_cache(maxsize=4)
def _ruleset(path: Path | None) -> Ruleset:
    return load_ruleset(path)


def _context() -> tuple[Settings, Ruleset, Storage]:
    """Settings, rule set and storage of this process, each built once per configuration: every
    task asks, and rebuilding them cost ~10 ms a time."""
    settings = current_settings()
    return settings, _ruleset(settings.ruleset_file), _storage(str(settings.home), settings.db_url)


def _not_input_error(task, task_run, state) -> bool:
    """Retry storage hiccups, never a folio that is unusable as sent."""
    try:
        state.result()
    except ManifestError:
        return False
    except Exception:
        return True
    return False


def _run_name() -> str:
    folio_dir = Path(flow_run.parameters.get("folio_dir", "folio"))
    try:
        return str(json.loads((folio_dir / "folio.json").read_bytes()[:1_000_000])["folio"])[:64]
    except Exception:
        return folio_dir.name


@task(retries=2, retry_delay_seconds=1, retry_condition_fn=_not_input_error, cache_policy=NO_CACHE)
def store_originals(folio_dir: str) -> pipeline.StoredFolio:
    _, _, storage = _context()
    manifest_bytes, files = pipeline.read_folio_dir(Path(folio_dir))
    return pipeline.store_originals(manifest_bytes, files, storage)


@task(cache_policy=NO_CACHE)
def check_packaging(stored: pipeline.StoredFolio, ruleset: Ruleset) -> pipeline.PackagingResult:
    return pipeline.check_packaging(stored, ruleset)


@task(cache_policy=NO_CACHE)
def read_documents(stored, packaging, ruleset: Ruleset) -> dict:
    settings, _, storage = _context()
    return pipeline.read_documents(stored, packaging, ruleset, pipeline.load_trust_store(settings),
                                   pipeline.load_stamp_certificates(settings), cache=_extraction_cache(settings, ruleset, storage))


def _extraction_cache(settings: Settings, ruleset: Ruleset, storage: Storage):
    """Files already read under this rule set and reading context are not read again (re-uploads)."""
    from storage.extraction_cache import ExtractionCache, reader_fingerprint

    reader = reader_fingerprint(settings.cfdi_trust_store and Path(settings.cfdi_trust_store).resolve(),
                                settings.sat_stamp_certificates and Path(settings.sat_stamp_certificates).resolve())
    return ExtractionCache(storage.state.engine, ruleset.version, reader)


@task(retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def look_up_history(folio: str, uuids: list[str]) -> tuple[dict[str, str], datetime | None]:
    """What storage knows that validators need: other folios' UUIDs and the Art. 71 clock."""
    _, _, storage = _context()
    return storage.state.folios_with_uuids(uuids, folio), storage.state.first_complete_at(folio)


@task(cache_policy=NO_CACHE)
def check_sat(read, ruleset: Ruleset, adjudication_today: bool = False) -> dict:
    """SAT status/EFOS of the CFDIs and the online CSF check (CFDI-005..008, CSF-007/008). SAT's
    bad days are handled inside (timeouts, bounded retries, breaker, shared rate limit): a failure
    is a `retry` finding, so this task itself does not retry."""
    from sat.checks import sat_findings

    settings, _, storage = _context()
    return sat_findings(read, settings, storage.state.engine, ruleset.honorifics, adjudication_today=adjudication_today)


@task(cache_policy=NO_CACHE)
def validate_and_decide(stored, packaging, read, ruleset, as_of, known_uuids, first_complete_at,
                        sat_findings=None) -> Decision:
    doc_findings = pipeline.validate_documents(stored, read, ruleset, as_of, known_uuids, sat_findings)
    return pipeline.decide(stored, packaging, read, doc_findings, ruleset, as_of,
                           datetime.now(timezone.utc), first_complete_at)


@task(retries=3, retry_delay_seconds=[1, 2, 4], cache_policy=NO_CACHE)
def record_decision(decision: Decision, uuids: dict[str, str]) -> dict[str, str]:
    _, _, storage = _context()
    storage.state.record_decision(decision, uuids)
    history = storage.state.history(decision.folio)
    manifest = storage.state.manifest(decision.folio)
    paths = write_folio_report(decision, storage.reports_dir, len(history), history=history, manifest=manifest)
    if hasattr(storage.blobs, "put_report"):  # S3: reports and notices beside the originals
        for path in paths.values():
            storage.blobs.put_report(decision.folio, Path(path).name, Path(path).read_bytes())
    return {k: str(v) for k, v in paths.items()}


@task(retries=2, retry_delay_seconds=[1, 3], cache_policy=NO_CACHE)
def notify_claimant(decision: Decision, manifest) -> dict | None:
    """The pending-documents notice: recorded (and written beside the reports) before it is
    sent, so a send failure loses nothing; a failed send raises, and the task retries it."""
    from claim_intake.notices import NoticeStore, build_notice, deliver, write_notice_files

    notice = build_notice(decision, manifest)
    if notice is None:
        return None
    settings, _, storage = _context()
    notices = NoticeStore(storage.state.engine)
    notice_id = notices.record(notice, decision.evaluated_at)
    files = write_notice_files(notice, storage.reports_dir, len(notices.list(folio=decision.folio)))
    status = deliver(notices, notice_id, settings)
    return {"id": notice_id, "status": status, "html": str(files["html"])}


def _artifact_key(folio: str) -> str:
    """Prefect artifact keys take lower-case letters, digits and dashes only."""
    return "folio-" + "".join(c if c.isalnum() else "-" for c in folio.lower())


def _operator_views(decision: Decision, manifest, report_paths: dict[str, str], notice: dict | None) -> None:
    """What operators see in Prefect: a markdown artifact, run tags to filter by, and an event."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.client.orchestration import get_client
    from prefect.events import emit_event

    from claim_intake.reports import folio_markdown

    paths = dict(report_paths)
    if notice:
        paths["notice"] = notice["html"]
    markdown = folio_markdown(decision, paths)
    if notice:
        markdown += f"\n\nAviso al reclamante: **{notice['status']}** (aviso {notice['id']})"
    key = _artifact_key(decision.folio)
    create_markdown_artifact(key=(key + "-report")[:100], markdown=markdown,
                             description=f"Folio {decision.folio}: {decision.route.value}")
    tags = {f"claim_type:{manifest.claim_type.value}", f"portal:{manifest.portal or 'none'}",
            f"route:{decision.route.value}"}
    run_id = flow_run.get_id()
    if run_id:
        with get_client(sync_client=True) as client:
            current = client.read_flow_run(run_id).tags or []
            client.update_flow_run(run_id, tags=sorted(set(current) | tags))
    related = [{"prefect.resource.id": f"prefect.flow-run.{run_id}", "prefect.resource.role": "flow-run"}] if run_id else []
    emit_event(
        event="claim-intake.folio.routed",
        resource={"prefect.resource.id": f"claim-intake.folio.{decision.folio}", "prefect.resource.name": decision.folio},
        related=related,
        payload={"folio": decision.folio, "route": decision.route.value, "ruleset": decision.ruleset,
                 "claim_type": manifest.claim_type.value, "portal": manifest.portal, "codes": decision.codes(),
                 "missing": [k.value for k in decision.missing], "report": report_paths.get("html")},
    )


def _publish(decision: Decision, report_paths: dict[str, str]) -> None:
    rows = [
        {"file": d.file, "kind": d.kind.value, "status": d.status.value,
         "findings": ", ".join(f"{f.code} ({f.outcome.value})" for f in d.findings) or "-"}
        for d in decision.documents
    ]
    rows += [{"file": "(folio)", "kind": "-", "status": decision.route.value,
              "findings": f"{f.code} ({f.outcome.value}) {f.message_es}"} for f in decision.folio_findings]
    key = _artifact_key(decision.folio)
    create_table_artifact(
        key=key[:100], table=rows,
        description=f"Folio {decision.folio} -> {decision.route.value} (reglas {decision.ruleset}); "
                    f"reporte: {report_paths.get('html', '-')}",
    )


@flow(name="intake-folio", flow_run_name=_run_name, log_prints=False, persist_result=False)
def intake_folio(folio_dir: str, as_of: date | None = None) -> Decision:
    """One folio from its directory to a queue, with the decision stored and published."""
    install_masking()
    settings, ruleset, _ = _context()
    stored = store_originals(folio_dir)
    effective_as_of = stored.manifest.intake_date(as_of)
    packaging = check_packaging(stored, ruleset)
    read = read_documents(stored, packaging, ruleset)
    uuids = pipeline.cfdi_uuids(read)
    known_uuids, first_complete_at = look_up_history(stored.manifest.folio, sorted(uuids))
    sat = check_sat(read, ruleset) if settings.sat_checks else None
    decision = validate_and_decide(stored, packaging, read, ruleset, effective_as_of, known_uuids, first_complete_at, sat)
    if sat is not None and decision.route is Route.ADJUDICATION:  # pay only on a status of today
        sat = check_sat(read, ruleset, adjudication_today=True)
        decision = validate_and_decide(stored, packaging, read, ruleset, effective_as_of, known_uuids,
                                       first_complete_at, sat)
    if sat is not None:  # what SAT answered, into each document's `extracted` (raw answer included)
        decision = pipeline.with_sat_evidence(decision, getattr(sat, "evidence", None))
    paths = record_decision(decision, uuids)
    _publish(decision, paths)
    notice_state = notify_claimant(decision, stored.manifest, return_state=True)
    notice = notice_state.result(raise_on_failure=False) if notice_state.is_completed() else None
    if notice_state.is_failed():  # never loses the decision: the notice row says failed, retried later
        notice = {"id": "-", "status": "failed", "html": "-"}
    _operator_views(decision, stored.manifest, paths, notice)
    return decision


@flow(name="intake-batch", log_prints=False, persist_result=False)
def intake_batch(folio_dirs: list[str], as_of: date | None = None) -> dict[str, str]:
    """Several folios in one flow run, each as an `intake-folio` subflow. Why: a process worker
    spends ~6 s starting each flow run, far more than a digital folio's work, so the intake API
    hands a worker a batch and the start-up is paid once per batch (docs/deploy.md). One folio
    failing does not stop the others; its subflow run shows the failure."""
    routes: dict[str, str] = {}
    for folio_dir in folio_dirs:
        try:
            decision = intake_folio(folio_dir, as_of)
            routes[decision.folio] = decision.route.value
        except Exception as exc:  # noqa: BLE001 - recorded on the subflow run; go on with the rest
            routes[Path(folio_dir).name] = f"failed: {type(exc).__name__}"
    return routes
