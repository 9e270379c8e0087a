"""Recording a decision: the decision, its queue move and the folio's CFDI UUIDs in one
transaction; then its JSON and HTML report, written under the home and uploaded to the blob store
beside the originals (S3 keeps them there; the local store already has them under the home)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from domain.decision import Decision
from reports.render import write_folio_report
from storage import Storage

# The orchestrator's run that is making decisions in this thread (a Prefect flow run id), set by
# the entry point around the use case (flows/intake.py, flows/sweep.py): the application does not
# import Prefect, and the use cases between the flow and this function need not pass it along.
_producing_run: ContextVar[str | None] = ContextVar("producing_run", default=None)


@contextmanager
def producing_run(run_id: str | None) -> Iterator[None]:
    """Decisions recorded inside this block note `run_id` as the run that produced them (the
    console links each decision of its timeline to it)."""
    token = _producing_run.set(run_id)
    try:
        yield
    finally:
        _producing_run.reset(token)


def record_decision(
    decision: Decision, uuids: dict[str, str], storage: Storage, round_: int | None = None
) -> dict[str, str] | None:
    """Record `decision` and write its report; kind -> path of each report file. The PDF is
    rendered by `folio-report-pdfs` (flows/report.py), off the routing path: it costs ~0.5 s,
    ten times a digital folio's document work, and nobody waits on it to route. With `round_`
    (the folio's round of evaluation, storage folio_rounds) None when that round was decided
    already, by a run this one repeats: nothing is recorded or written then."""
    if storage.state.record_decision(decision, uuids, flow_run_id=_producing_run.get(), round_=round_) is None:
        return None
    history = storage.state.history(decision.folio)
    manifest = storage.state.manifest(decision.folio)
    paths = write_folio_report(decision, storage.reports_dir, len(history), history=history, manifest=manifest)
    upload_reports(storage, decision.folio, paths.values())
    return {k: str(v) for k, v in paths.items()}


def upload_reports(storage: Storage, folio: str, paths: Iterable[Path]) -> None:
    """Report and notice files of `folio` into the blob store, under their own names."""
    for path in paths:
        path = Path(path)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        storage.blobs.put_report(folio, path.name, path.read_bytes(), content_type)
