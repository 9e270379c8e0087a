"""A folio to a recorded decision: from its directory (store every original first, evaluate,
record), or from what the intake API accepted into storage (the originals are there already).
What the intake flows' tasks run, and what the benchmark and the tests call plainly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.decision import Decision
from domain.folio import FolioManifest
from storage import read_accepted

from .evaluate import evaluate_folio
from .folio_dir import InputError, read_folio_dir
from .originals import store_originals, stored_folio_from_accepted
from .record import record_decision
from .services import Services


@dataclass(frozen=True)
class FolioOutcome:
    decision: Decision
    manifest: FolioManifest
    report_paths: dict[str, str]
    upload: int | None = None  # the intake API's upload number the decision covers (take_in_accepted)
    # False: that upload was decided already, by a run this one repeats (a retry, a recovery
    # after a worker died); `decision` is the one recorded then, and nothing new was recorded
    recorded: bool = True


def take_in_folio(
    folio_dir: Path, services: Services, as_of: date | None = None, owner: str | None = None
) -> FolioOutcome:
    """Safe to run again on the same folio: originals are stored by digest, what was read is in
    the extraction cache, and the decision is recorded in one transaction. `owner`: who claims
    the folio id (StateStore.register_folio); None keeps the folio's stored owner."""
    manifest_bytes, files = read_folio_dir(Path(folio_dir), services.ruleset.thresholds)
    stored = store_originals(manifest_bytes, files, services.storage, owner)  # before anything else
    evaluation = evaluate_folio(stored, services, as_of=as_of)
    paths = record_decision(evaluation.decision, evaluation.uuids, services.storage) or {}  # no round: recorded
    return FolioOutcome(evaluation.decision, stored.manifest, paths)


def take_in_accepted(folio: str, services: Services, as_of: date | None = None) -> FolioOutcome:
    """The folio the intake API accepted, from storage alone (no shared disk with the API): one
    consistent read of its manifest, its files as accepted and the upload number that covers
    (storage.read_accepted), then evaluated and recorded exactly as take_in_folio does it. The
    decision is the one a directory holding the same files gets. Safe to run again: an upload
    gets exactly one decision (its round in storage's folio_rounds), so a repeated run (a retry,
    a recovery after a worker died) records nothing new and says so (`recorded` False). The
    outcome says which upload it covered, since a later upload may have arrived between the API
    handing the folio over and this read."""
    accepted = read_accepted(services.storage.state.engine, folio)
    if accepted is None:
        raise InputError(f"folio {folio}: nothing accepted by the intake API under this id")
    stored = stored_folio_from_accepted(accepted, services.storage)
    evaluation = evaluate_folio(stored, services, as_of=as_of)
    paths = record_decision(evaluation.decision, evaluation.uuids, services.storage, round_=accepted.upload)
    if paths is None:  # this upload was decided by an earlier run: exactly one decision per upload
        earlier = services.storage.state.last_decision(folio) or evaluation.decision
        return FolioOutcome(earlier, stored.manifest, {}, accepted.upload, recorded=False)
    return FolioOutcome(evaluation.decision, stored.manifest, paths, accepted.upload)
