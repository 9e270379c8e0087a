"""The evaluation of a folio, the one place that orders its steps: packaging, reading (through
the extraction cache), what storage knows (other folios' UUIDs, the Art. 71 clock), SAT,
validation and the decision. The intake, the awaiting_sat sweep, the benchmark and the tests all
evaluate through `evaluate_folio`; recording the result is `record.record_decision`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from domain.decision import Decision, Route
from extractors import ReadDocument
from sat.checks import SatFindings, SatServices, sat_findings

from .deciding import decide, validate_documents, with_sat_evidence, without_sat
from .originals import StoredFolio
from .packaging import check_packaging
from .reading import cfdi_uuids, read_documents
from .services import Services


@dataclass(frozen=True)
class Evaluation:
    """A folio's decision and what it was made from: the documents as read and their CFDI UUIDs
    (UUID -> file), which are recorded with the decision for CFDI-012."""

    stored: StoredFolio
    decision: Decision
    read: dict[str, ReadDocument]
    uuids: dict[str, str]


def evaluate_folio(
    stored: StoredFolio,
    services: Services,
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    sat: SatServices | None = None,
    adjudication_today: bool = False,
) -> Evaluation:
    """Decide a stored folio. SAT's bad days are handled inside the SAT clients (timeouts,
    bounded retries, breaker, shared rate limit), where a failure becomes a `retry` finding.

    `as_of`: the intake date (default the manifest's received_at); `now`: the evaluation's clock
    (default now; the sweep passes its own). `sat`: SAT clients to share (the sweep's batch),
    else a set per SAT pass. `adjudication_today`: ask for a status of today from the first
    SAT pass (the sweep, whose folios wait to be routed); otherwise a folio whose first pass
    routes it to adjudication is asked again for a status of today, since money is paid on one."""
    ruleset, storage = services.ruleset, services.storage
    effective_as_of = stored.manifest.intake_date(as_of)
    evaluated_at = now or datetime.now(UTC)
    packaging = check_packaging(stored, ruleset)
    read = read_documents(stored, packaging, services)
    uuids = cfdi_uuids(read)
    folio = stored.manifest.folio
    known_uuids = storage.state.folios_with_uuids(sorted(uuids), folio)
    first_complete_at = storage.state.first_complete_at(folio)

    def decided(found: SatFindings | None) -> Decision:
        findings = validate_documents(stored, read, ruleset, effective_as_of, known_uuids, found)
        return decide(stored, packaging, read, findings, ruleset, effective_as_of, evaluated_at, first_complete_at)

    if not services.settings.sat_checks:
        return Evaluation(stored, without_sat(decided(None)), read, uuids)
    decision = _with_sat(read, services, decided, sat=sat, now=now, adjudication_today=adjudication_today)
    return Evaluation(stored, decision, read, uuids)


def _with_sat(
    read: dict[str, ReadDocument],
    services: Services,
    decided: Callable[[SatFindings | None], Decision],
    *,
    sat: SatServices | None,
    now: datetime | None,
    adjudication_today: bool,
) -> Decision:
    """Both SAT passes: the first, and again for a status of today when the folio would go to
    adjudication on an older one. What SAT answered goes into each document's `extracted`."""
    settings, ruleset, engine = services.settings, services.ruleset, services.storage.state.engine

    def ask(today: bool) -> SatFindings:
        return sat_findings(
            read,
            settings,
            engine,
            ruleset.honorifics,
            legal_forms=ruleset.legal_forms,
            adjudication_today=today,
            services=sat,
            now=now,
        )

    found = ask(adjudication_today)
    decision = decided(found)
    if decision.route is Route.ADJUDICATION and not adjudication_today:  # pay only on a status of today
        found = ask(True)
        decision = decided(found)
    return with_sat_evidence(decision, found.evidence)
