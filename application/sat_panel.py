"""What the console's SAT panel shows: whether SAT's services answer, and how many folios wait in
awaiting_sat and for what (the retry findings of their last decision: CFDI-007, CSF-007, and how
the call failed). Both kept for PANEL_TTL_S per process: the probe costs up to one timeout and
the count reads the queue's decisions, and neither changes by the second."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.config import Settings
from domain.decision import Decision
from domain.findings import Outcome
from sat.reachability import Reachability, probe
from storage import Storage

PANEL_TTL_S = 60.0
PROBE_TIMEOUT_S = 1.5  # the page waits at most this long, once a minute
WAITING_READ = 5000  # awaiting_sat folios read for the breakdown (oldest first)


@dataclass(frozen=True)
class SatPanel:
    checked_at: datetime
    services: list[Reachability]
    sat_checks: bool  # False: SAT is not consulted at all (CLAIM_INTAKE_SAT_CHECKS=false)
    waiting: int
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # (code, how it failed, folios)


_lock = threading.Lock()
_kept: dict[tuple, tuple[float, SatPanel]] = {}


def sat_panel(settings: Settings, storage: Storage, *, now: float | None = None) -> SatPanel:
    key = (settings.sat.status_url, settings.sat.csf_url, settings.sat_checks, id(storage.state))
    moment = time.monotonic() if now is None else now
    with _lock:
        held = _kept.get(key)
        if held and moment - held[0] < PANEL_TTL_S:
            return held[1]
    services = {"Consulta de CFDI": settings.sat.status_url, "Validación de CSF": settings.sat.csf_url}
    entries = storage.state.queue_page("awaiting_sat", WAITING_READ, 0)
    panel = SatPanel(
        checked_at=datetime.now(UTC),
        services=probe(services, PROBE_TIMEOUT_S) if settings.sat_checks else [],
        sat_checks=settings.sat_checks,
        waiting=storage.state.queue_counts()["awaiting_sat"],
        reasons=waiting_reasons([e["decision"] for e in entries]),
    )
    with _lock:
        _kept[key] = (moment, panel)
    return panel


def waiting_reasons(decisions: list[Decision]) -> list[tuple[str, str, int]]:
    """Folios per (retry code, how SAT failed: timeout, circuit_open, ...), most first; a folio
    counts once under each reason it has."""
    counts: Counter[tuple[str, str]] = Counter()
    for decision in decisions:
        reasons = set()
        for f in decision.folio_findings + [f for d in decision.documents for f in d.findings]:
            if f.outcome == Outcome.RETRY:
                reasons.add((f.code, str(f.evidence.get("failed") or "—")))
        counts.update(reasons)
    return [(code, failed, n) for (code, failed), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
