"""The findings of recorded decisions as rows (`decision_findings`): written with each decision,
read by the console's compliance view a page, a count or a CSV batch at a time.

The view shows what the period report's findings (storage.reporting.period_data) hold: every
finding of EVERY decision evaluated in the period (not only each folio's latest), numbered by
the decision's place in its folio's history, newest first. Reading those from the decisions'
JSON bodies meant reading every body of the period (18 s at 50,000 decisions); here each filter
is a column, the order an index, the chart one GROUP BY."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from .schema import decision_findings, decisions, folios

FILTERS = ("code", "route", "claim_type", "portal", "kind", "outcome")
NO_PORTAL = "-"  # how the period report and its CSV show a folio without a portal


def finding_rows(decision_id: int, body: Mapping[str, Any], values: Mapping[str, Any]) -> list[dict]:
    """One row per finding of a stored decision body, in the decision's order (folio findings,
    then each document's); `values`: folio, evaluated_at, route, ruleset, claim_type, portal."""
    base = {**values, "decision_id": decision_id, "portal": values.get("portal") or NO_PORTAL}
    found = [("", "", f) for f in body.get("folio_findings", [])]
    for doc in body.get("documents", []):
        found += [(doc["file"], doc["kind"], f) for f in doc.get("findings", [])]
    return [
        {
            **base,
            "position": n,
            "file": file,
            "kind": kind,
            "code": f["code"],
            "outcome": f["outcome"],
            "message_es": f["message_es"],
        }
        for n, (file, kind, f) in enumerate(found)
    ]


def write_findings(conn: Connection, decision_id: int, body: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """Inside the decision's transaction; a decision whose folio has no row gets none (the
    period report joins folios too, so it would not show it either)."""
    folio = conn.execute(select(folios.c.claim_type, folios.c.portal).where(folios.c.folio == values["folio"])).first()
    if folio is None:
        return
    rows = finding_rows(decision_id, body, {**values, "claim_type": folio.claim_type, "portal": folio.portal})
    if rows:
        conn.execute(insert(decision_findings), rows)


def follow_folio(conn: Connection, folio: str, claim_type: str, portal: str | None) -> None:
    """A manifest registered again may change the folio's claim type or portal; the report shows
    the folio's current ones for every decision, so its finding rows follow."""
    shown = portal or NO_PORTAL
    row = decision_findings.c
    conn.execute(
        update(decision_findings)
        .where(row.folio == folio, or_(row.claim_type != claim_type, row.portal != shown))
        .values(claim_type=claim_type, portal=shown)
    )


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class FindingQuery:
    """Findings of decisions evaluated from `start` to `end` (inclusive UTC days) that match
    every chosen filter exactly (the columns of FILTERS)."""

    start: date
    end: date
    chosen: dict[str, str] = field(default_factory=dict)

    def where(self) -> list[ColumnElement[bool]]:
        low = datetime.combine(self.start, time.min, UTC)
        high = datetime.combine(self.end + timedelta(days=1), time.min, UTC)
        row = decision_findings.c
        return [row.evaluated_at >= low, row.evaluated_at < high] + [
            row[name] == value for name, value in self.chosen.items() if name in FILTERS and value
        ]


@dataclass(frozen=True)
class CodeCounts:
    counts: dict[str, int]  # rule code -> findings
    last_decision: int  # the newest decision counted: a CSV export stops there

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def count_query(query: FindingQuery) -> Select:
    """(code, findings, newest decision) per rule code: one GROUP BY over the period's index."""
    row = decision_findings.c
    return select(row.code, func.count(), func.max(row.decision_id)).where(*query.where()).group_by(row.code)


def code_counts(engine: Engine, query: FindingQuery) -> CodeCounts:
    """Findings per rule code: the chart's bars, the list's total, and where an export stops."""
    with engine.begin() as conn:
        found = conn.execute(count_query(query)).all()
    return CodeCounts({r[0]: r[1] for r in found}, max((r[2] for r in found), default=0))


def _order(row) -> list[ColumnElement]:
    """Newest first; within one moment and folio, in the decision's order (as period_data)."""
    return [row.evaluated_at.desc(), row.folio.desc(), row.decision_id, row.position]


def list_query(query: FindingQuery, limit: int, offset: int = 0, *where: ColumnElement[bool]) -> Select:
    """A page of the list. The page is cut first (LIMIT/OFFSET on the period's index), then each
    of its rows is numbered in its folio's history (a count on the decisions' (folio, id) index),
    so a deep page does not number the rows it skips."""
    row = decision_findings.c
    page = (
        select(decision_findings)
        .where(*query.where(), *where)
        .order_by(*_order(row))
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    earlier = decisions.alias("earlier")
    decision_no = (
        select(func.count())
        .where(earlier.c.folio == page.c.folio, earlier.c.id <= page.c.decision_id)
        .scalar_subquery()
        .label("decision_no")
    )
    listed = page.c
    return select(
        listed.evaluated_at,
        listed.folio,
        decision_no,
        listed.claim_type,
        listed.portal,
        listed.route,
        listed.ruleset,
        listed.file,
        listed.kind,
        listed.code,
        listed.outcome,
        listed.message_es,
        listed.decision_id,
        listed.position,
    ).order_by(*_order(listed))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _dicts(rows) -> list[dict]:
    return [{**r._mapping, "evaluated_at": _aware(r.evaluated_at)} for r in rows]


def page_of_findings(engine: Engine, query: FindingQuery, limit: int, offset: int = 0) -> list[dict]:
    """One page of the list, newest first; each row with FINDING_COLUMNS' keys (and its key)."""
    with engine.begin() as conn:
        return _dicts(conn.execute(list_query(query, limit, offset)))


def _after(last: dict) -> ColumnElement[bool]:
    """Rows after `last` in the list's order (evaluated_at and folio descending, then the
    decision and the finding's position ascending): the keyset of the next batch."""
    row = decision_findings.c
    at, folio = last["evaluated_at"], last["folio"]
    same_folio_later = or_(
        row.decision_id > last["decision_id"],
        and_(row.decision_id == last["decision_id"], row.position > last["position"]),
    )
    return and_(
        row.evaluated_at <= at,
        or_(
            row.evaluated_at < at,
            and_(row.evaluated_at == at, or_(row.folio < folio, and_(row.folio == folio, same_folio_later))),
        ),
    )


def iter_findings(engine: Engine, query: FindingQuery, last_decision: int, batch: int = 1000) -> Iterator[dict]:
    """The whole list in batches of `batch` rows, each batch its own short read (keyset, so a
    batch costs the same deep in the list), never the period in memory. Decisions after
    `last_decision` (recorded while the export runs) are left out, so the export is the list
    that was counted."""
    counted = decision_findings.c.decision_id <= last_decision
    last: dict | None = None
    while True:
        stmt = list_query(query, batch, 0, counted, *([] if last is None else [_after(last)]))
        with engine.begin() as conn:
            rows = conn.execute(stmt).all()
        if not rows:
            return
        page = _dicts(rows)
        yield from page
        last = {**page[-1], "evaluated_at": rows[-1].evaluated_at}  # compared as stored
        if len(rows) < batch:
            return
