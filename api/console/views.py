"""What the console's pages show, built from storage's rows: queue rows with their age, Art. 71
due date and reasons; a folio's decisions as a timeline and its documents with their findings.
Personal identifiers (RFC, CURP, CLABE) are masked here unless the caller asked, audited, for
them in full."""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from domain.decision import Decision
from domain.kinds import DocumentKind
from domain.masking import mask_text

QUEUE_TITLES = {
    "pending_documents": "Documentos pendientes",
    "adjudication": "Dictaminación",
    "awaiting_sat": "En espera del SAT",
}
ROUTE_TITLES = QUEUE_TITLES
STATUS_TITLES = {
    "accepted": "aceptado",
    "rejected": "rechazado",
    "duplicate": "duplicado",
    "not_evaluated": "no evaluado",
}
NOTICE_TITLES = {"pending": "sin enviar", "sent": "enviado", "failed": "falló"}
PREVIEW_PAGES = 6  # pages drawn on the folio page per document; the rest open one by one
OUTCOME_TITLES = {"reject": "rechazo", "warn": "advertencia", "retry": "reintento"}


def masked(value: Any, reveal: bool) -> Any:
    """`value` with every RFC, CURP and CLABE in its strings masked (dicts and lists walked)."""
    if reveal:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: masked(v, reveal) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, reveal) for v in value]
    return value


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC


def when(moment: datetime | None) -> str:
    """A stored moment as the pages show it, in UTC (SQLite hands back naive UTC)."""
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def age_es(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - _aware(since)).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def kind_es(kind: str) -> str:
    try:
        return DocumentKind(kind).name_es
    except ValueError:
        return kind


def waits_for(decision: Decision) -> list[str]:
    """What the folio waits for, in short lines: missing kinds, then reject and retry reasons.
    File names are masked (a claimant may name a file after an RFC)."""
    lines = [f"falta: {kind_es(k.value)}" for k in decision.missing]
    return lines + [mask_text(r) for r in decision.reasons()]


def queue_rows(entries: list[dict], now: datetime) -> list[dict]:
    return [
        {
            "folio": e["folio"],
            "claim_type": e["claim_type"],
            "portal": e["portal"] or "—",
            "entered_at": _aware(e["entered_at"]),
            "age": age_es(e["entered_at"], now),
            "payment_due": e["decision"].payment_due,
            "waits_for": waits_for(e["decision"]),
            "claimed_by": e["claimed_by"],
        }
        for e in entries
    ]


def prefect_ui() -> str | None:
    """Where Prefect's UI is: PREFECT_UI_URL, else the API's URL without its /api (the server
    serves both), read when a page is drawn; None when this process knows no Prefect server."""
    ui = os.environ.get("PREFECT_UI_URL") or ""
    if not ui and (api := os.environ.get("PREFECT_API_URL") or ""):
        ui = api.rstrip("/").removesuffix("/api")
    return ui.rstrip("/") or None


def run_url(run_id: str | None, ui: str | None) -> str | None:
    """The flow run's page in Prefect's UI (the id is a UUID; anything else is not linked)."""
    if not run_id or not ui:
        return None
    try:
        return f"{ui}/runs/flow-run/{uuid.UUID(run_id)}"
    except ValueError:
        return None


def timeline(history: list[Decision], runs: list[str | None] | None = None) -> list[dict]:
    """Newest first: when, where it went, under which rule set, with which codes, and the flow
    run that made it (a link into Prefect's UI when its address is known)."""
    ui = prefect_ui()
    runs = runs if runs is not None and len(runs) == len(history) else [None] * len(history)
    return [
        {
            "run_id": run,
            "run_url": run_url(run, ui),
            "evaluated_at": d.evaluated_at,
            "route": d.route.value,
            "route_es": ROUTE_TITLES.get(d.route.value, d.route.value),
            "ruleset": d.ruleset,
            "codes": d.codes(),
            "payment_due": d.payment_due,
        }
        for d, run in reversed(list(zip(history, runs, strict=True)))
    ]


def documents(decision: Decision, reveal: bool, pages: list[int] | None = None) -> list[dict]:
    """Each document with its findings; `pages`: how many pages of each a preview can show
    (the folio page draws at most PREVIEW_PAGES of them)."""
    counts = pages or [0] * len(decision.documents)
    return [
        {
            "index": index,
            "pages": list(range(1, min(counts[index], PREVIEW_PAGES) + 1)),
            "more_pages": max(0, counts[index] - PREVIEW_PAGES),
            "file": masked(doc.file, reveal),
            "kind_es": kind_es(doc.kind.value),
            "status": doc.status.value,
            "status_es": STATUS_TITLES.get(doc.status.value, doc.status.value),
            "extracted": masked(doc.extracted, reveal),
            "findings": [
                {
                    "code": f.code,
                    "outcome": f.outcome.value,
                    "outcome_es": OUTCOME_TITLES.get(f.outcome.value, f.outcome.value),
                    "message_es": masked(f.message_es, reveal),
                    "evidence": masked(f.evidence, reveal),
                }
                for f in doc.findings
            ],
        }
        for index, doc in enumerate(decision.documents)
    ]


def folio_findings(decision: Decision, reveal: bool) -> list[dict]:
    return [
        {
            "code": f.code,
            "outcome": f.outcome.value,
            "outcome_es": OUTCOME_TITLES.get(f.outcome.value, f.outcome.value),
            "message_es": masked(f.message_es, reveal),
            "evidence": masked(f.evidence, reveal),
        }
        for f in decision.folio_findings
    ]


def mask_email(address: str | None) -> str:
    """First letter and the domain: enough to tell two recipients apart."""
    if not address or "@" not in address:
        return address or "—"
    local, domain = address.split("@", 1)
    return f"{local[:1]}***@{domain}"


def notices(rows: list[dict], reveal: bool) -> list[dict]:
    return [
        {
            "id": r["id"],
            "recipient": (r["recipient"] or "—") if reveal else mask_email(r["recipient"]),
            "subject": r["subject"],
            "status": r["status"],
            "status_es": NOTICE_TITLES.get(r["status"], r["status"]),
            "attempts": r["attempts"],
            "created_at": r["created_at"],
            "sent_at": r["sent_at"],
            "last_error": masked(r["last_error"], reveal),
        }
        for r in rows
    ]


def code_bars(counts: dict[str, int]) -> list[dict]:
    """Findings per rule code, most frequent first, with the bar's width in percent."""
    top = max(counts.values(), default=1)
    return [
        {
            "code": code,
            "count": n,
            "width": round(100 * n / top),
            "y": CHART_TOP + i * CHART_ROW,
            "px": max(2, round(CHART_BAR_PX * n / top)),
        }
        for i, (code, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    ]


# The findings' columns a person or a portal wrote freely, where an RFC, CURP or CLABE may sit;
# the others hold an enumeration (claim type, route, kind, outcome) or a rule code's pattern.
FREE_TEXT = ("folio", "portal", "ruleset", "file", "message_es")


def csv_lines(rows: Iterable[dict], columns: Sequence[str]) -> Iterator[str]:
    """The findings as CSV text, a header then a chunk per 500 rows (identifiers masked in the
    free-text columns, the moment in ISO 8601), for a streamed response."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for n, row in enumerate(rows, 1):
        shown = {k: mask_text(row[k]) for k in FREE_TEXT if isinstance(row.get(k), str)}
        writer.writerow({**row, **shown, "evaluated_at": row["evaluated_at"].isoformat()})
        if n % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


# The findings chart: an SVG drawn by the template (no script), one row per rule code.
CHART_TOP, CHART_ROW, CHART_BAR_PX = 28, 24, 560


def chart_height(bars: list[dict]) -> int:
    return CHART_TOP + CHART_ROW * len(bars) + 8
