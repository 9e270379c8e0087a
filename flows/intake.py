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
from claim_intake.config import Ruleset, Settings
from claim_intake.decision import Decision, Route
from claim_intake.folio import ManifestError
from claim_intake.masking import install_masking
from claim_intake.reports import write_folio_report
from storage import Storage, open_storage


@lru_cache(maxsize=4)
def _storage(home: str, db_url: str) -> Storage:
    return open_storage(Settings(home=Path(home), database_url=db_url))


def _context() -> tuple[Settings, Ruleset, Storage]:
    settings = Settings()
    return settings, settings.load_ruleset(), _storage(str(settings.home), settings.db_url)


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
    settings, _, _ = _context()
    return pipeline.read_documents(stored, packaging, ruleset, pipeline.load_trust_store(settings),
                                   pipeline.load_stamp_certificates(settings))


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
    history_len = len(storage.state.history(decision.folio))
    paths = write_folio_report(decision, storage.reports_dir, history_len)
    return {k: str(v) for k, v in paths.items()}


def _publish(decision: Decision, report_paths: dict[str, str]) -> None:
    rows = [
        {"file": d.file, "kind": d.kind.value, "status": d.status.value,
         "findings": ", ".join(f"{f.code} ({f.outcome.value})" for f in d.findings) or "-"}
        for d in decision.documents
    ]
    rows += [{"file": "(folio)", "kind": "-", "status": decision.route.value,
              "findings": f"{f.code} ({f.outcome.value}) {f.message_es}"} for f in decision.folio_findings]
    key = "folio-" + "".join(c if c.isalnum() else "-" for c in decision.folio.lower())
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
    paths = record_decision(decision, uuids)
    _publish(decision, paths)
    return decision
