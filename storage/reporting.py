"""Period queries behind the compliance report: every finding of every decision made in a period,
plus what the summary charts need (pending -> adjudication conversion, time spent per queue).

Read-only over the append-only `decisions` history, so the report for a past period can be made
again at any time and says the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, select

from .schema import decisions, folios

FINDING_COLUMNS = (
    "evaluated_at",
    "folio",
    "decision_no",
    "claim_type",
    "portal",
    "route",
    "ruleset",
    "file",
    "kind",
    "code",
    "outcome",
    "message_es",
)


@dataclass
class PeriodData:
    start: date
    end: date  # inclusive
    findings: list[dict]  # one per finding, FINDING_COLUMNS
    decisions: list[dict]  # folio, decision_no, evaluated_at, route, claim_type, portal
    conversions: dict[str, int]  # pending folios, of them later adjudicated
    queue_hours: dict[str, list[float]]  # route -> hours each stay lasted (until next decision or period end)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def period_data(engine: Engine, start: date, end: date) -> PeriodData:
    """Decisions evaluated from `start` to `end` (both inclusive, UTC days)."""
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    low, high = _bounds(start, end)
    query = (
        select(
            decisions.c.id,
            decisions.c.folio,
            decisions.c.route,
            decisions.c.ruleset,
            decisions.c.evaluated_at,
            decisions.c.body,
            folios.c.claim_type,
            folios.c.portal,
        )
        .join(folios, folios.c.folio == decisions.c.folio)
        .where(decisions.c.evaluated_at < high)
        .order_by(decisions.c.folio, decisions.c.id)
    )
    with engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    by_folio: dict[str, list[dict]] = {}
    for row in rows:
        row["evaluated_at"] = _aware(row["evaluated_at"])
        by_folio.setdefault(row["folio"], []).append(row)
    data = PeriodData(start, end, [], [], {"pending": 0, "adjudicated_after_pending": 0}, {})
    for folio, history in by_folio.items():
        seen_pending = converted = False
        for number, row in enumerate(history, 1):
            nxt = history[number]["evaluated_at"] if number < len(history) else high
            if row["evaluated_at"] >= low:
                data.decisions.append(
                    {
                        "folio": folio,
                        "decision_no": number,
                        "evaluated_at": row["evaluated_at"],
                        "route": row["route"],
                        "claim_type": row["claim_type"],
                        "portal": row["portal"],
                    }
                )
                data.findings += _findings(row, number)
            if nxt > low:  # the stay overlaps the period
                hours = (min(nxt, high) - max(row["evaluated_at"], low)).total_seconds() / 3600
                data.queue_hours.setdefault(row["route"], []).append(hours)
            if row["route"] == "pending_documents" and row["evaluated_at"] < high:
                seen_pending = True
            elif row["route"] == "adjudication" and seen_pending and row["evaluated_at"] >= low:
                converted = True
        in_period = any(r["evaluated_at"] >= low for r in history)
        data.conversions["pending"] += seen_pending and in_period
        data.conversions["adjudicated_after_pending"] += converted
    data.findings.sort(key=lambda f: (f["evaluated_at"], f["folio"], f["decision_no"]))
    return data


def _findings(row: dict, number: int) -> list[dict]:
    body = row["body"]
    base = {
        "evaluated_at": row["evaluated_at"],
        "folio": row["folio"],
        "decision_no": number,
        "claim_type": row["claim_type"],
        "portal": row["portal"] or "-",
        "route": row["route"],
        "ruleset": row["ruleset"],
    }
    out = [
        {**base, "file": "", "kind": "", "code": f["code"], "outcome": f["outcome"], "message_es": f["message_es"]}
        for f in body.get("folio_findings", [])
    ]
    for doc in body.get("documents", []):
        out += [
            {
                **base,
                "file": doc["file"],
                "kind": doc["kind"],
                "code": f["code"],
                "outcome": f["outcome"],
                "message_es": f["message_es"],
            }
            for f in doc.get("findings", [])
        ]
    return out
