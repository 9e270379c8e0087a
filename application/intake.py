"""A folio from its directory to a recorded decision: store every original first, evaluate,
record. What the intake flow's task runs, and what the benchmark and the tests call plainly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.decision import Decision
from domain.folio import FolioManifest

from .evaluate import evaluate_folio
from .folio_dir import read_folio_dir
from .originals import store_originals
from .record import record_decision
from .services import Services


@dataclass(frozen=True)
class FolioOutcome:
    decision: Decision
    manifest: FolioManifest
    report_paths: dict[str, str]


def take_in_folio(
    folio_dir: Path, services: Services, as_of: date | None = None, owner: str | None = None
) -> FolioOutcome:
    """Safe to run again on the same folio: originals are stored by digest, what was read is in
    the extraction cache, and the decision is recorded in one transaction. `owner`: who claims
    the folio id (StateStore.register_folio); None keeps the folio's stored owner."""
    manifest_bytes, files = read_folio_dir(Path(folio_dir), services.ruleset.thresholds)
    stored = store_originals(manifest_bytes, files, services.storage, owner)  # before anything else
    evaluation = evaluate_folio(stored, services, as_of=as_of)
    paths = record_decision(evaluation.decision, evaluation.uuids, services.storage)
    return FolioOutcome(evaluation.decision, stored.manifest, paths)
