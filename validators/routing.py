"""Routing precedence (RULES.md, "Routing"): any reject -> pending documents; else any retry ->
awaiting SAT; else adjudication, where Art. 71 LSC starts the 30-day payment clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from domain.decision import Route
from domain.findings import Finding, Outcome

PAYMENT_DAYS = 30  # Art. 71 Ley sobre el Contrato de Seguro


def route_for(findings: Iterable[Finding], retry_budget_exhausted: bool = False) -> Route:
    """`retry_budget_exhausted`: the folio has waited for SAT longer than the retry budget, so
    its open `retry` findings no longer hold it back; they stay in the decision, visible."""
    outcomes = {f.outcome for f in findings}
    if Outcome.REJECT in outcomes:
        return Route.PENDING_DOCUMENTS
    if Outcome.RETRY in outcomes and not retry_budget_exhausted:
        return Route.AWAITING_SAT
    return Route.ADJUDICATION


def completion(
    route: Route, evaluated_at: datetime, first_complete_at: datetime | None = None
) -> tuple[datetime | None, date | None]:
    """When the documents became complete, and the payment due date. A folio re-evaluated while
    complete keeps the first completion time: the legal clock does not restart."""
    if route is not Route.ADJUDICATION:
        return None, None
    complete_at = first_complete_at or evaluated_at
    return complete_at, complete_at.date() + timedelta(days=PAYMENT_DAYS)
