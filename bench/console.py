"""Benchmark: the console's queue page and folio page at scale (issue 16 #5).

    .venv/bin/python bench/console.py [--folios 10000] [--decisions-per-folio 5] [-n 40]

A throw-away PostgreSQL (tests/pg.py) is migrated with Alembic and filled with `--folios`
folios and `--decisions-per-folio` decisions each (append-only history, the last one in force;
each decision body holds six documents with extracted fields and findings, ~3 KB of JSON),
spread over the three queues (50 % adjudication, 40 % pending documents, 10 % awaiting SAT),
and two audit rows per folio. Then the real application (`api.app.create_app`) serves
requests in-process through Starlette's TestClient (no network: the time is the server's),
logged in as an operator, and each page is timed `-n` times:

- the queue page, first page and a deep page (OFFSET), of the largest queue;
- the folio page of random folios (timeline of all its decisions, documents, findings);
- the folio page as compliance (also reads the folio's audit rows).

Prints a markdown table of median and p95 milliseconds for the README."""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fastapi.testclient import TestClient  # noqa: E402 - after the sys.path set-up above
from pg import PostgresServer  # noqa: E402 - after the sys.path set-up above
from sqlalchemy import create_engine, insert, select  # noqa: E402 - after the sys.path set-up above

from api.app import create_app  # noqa: E402 - after the sys.path set-up above
from domain.config import Settings  # noqa: E402 - after the sys.path set-up above
from storage.migrations import upgrade  # noqa: E402 - after the sys.path set-up above
from storage.schema import audit_log, decisions, folios, queue_entries  # noqa: E402 - after the sys.path set-up above
from storage.users import create_user  # noqa: E402 - after the sys.path set-up above

QUEUE_SHARE = [("adjudication", 0.5), ("pending_documents", 0.4), ("awaiting_sat", 0.1)]
KINDS = ["cfdi_xml", "invoice_pdf", "tax_status_certificate", "bank_statement", "claim_form", "medical_report"]
PASSWORD = "bench password 123"


def decision_body(folio: str, route: str, at: datetime) -> dict:
    documents = [
        {
            "file": f"{kind}_{i}.pdf",
            "sha256": f"{i:064x}",
            "size": 120_000 + i,
            "media_type": "application/pdf",
            "kind": kind,
            "status": "rejected" if route == "pending_documents" and i == 2 else "accepted",
            "extracted": {
                "rfc": "LOGM850312QH5",
                "nombre": "MARIA LOPEZ GOMEZ",
                "fecha": "2026-10-20",
                "total": "1234.50",
            },
            "findings": [
                {
                    "code": "CSF-002",
                    "outcome": "reject",
                    "message_es": "La constancia de situación fiscal tiene más de 30 días.",
                    "evidence": {"issued_on": "2026-10-20", "as_of": "2026-11-20", "age_days": 31, "max_age_days": 30},
                }
            ]
            if route == "pending_documents" and i == 2
            else [],
        }
        for i, kind in enumerate(KINDS)
    ]
    return {
        "folio": folio,
        "route": route,
        "ruleset": "2026.11.4",
        "evaluated_at": at.isoformat(),
        "as_of": "2026-11-20",
        "complete_at": at.isoformat() if route == "adjudication" else None,
        "payment_due": (date(2026, 12, 20)).isoformat() if route == "adjudication" else None,
        "documents": documents,
        "folio_findings": [],
        "missing": ["tax_status_certificate"] if route == "pending_documents" else [],
        "skipped_rules": [],
    }


def fill(url: str, count: int, per_folio: int) -> dict[str, int]:
    engine = create_engine(url)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rng = random.Random(16)
    decision_id = 0
    with engine.begin() as conn:
        for base in range(0, count, 500):
            folio_rows, decision_rows, queue_rows, audit_rows = [], [], [], []
            for n in range(base, min(count, base + 500)):
                folio = f"BENCH-{n:06d}"
                at = start + timedelta(minutes=n)
                route = rng.choices([q for q, _ in QUEUE_SHARE], [w for _, w in QUEUE_SHARE])[0]
                folio_rows.append(
                    dict(
                        folio=folio,
                        claim_type="reembolso",
                        portal="bench",
                        manifest={"folio": folio},
                        created_at=at,
                        updated_at=at,
                        owner="@operator",
                    )
                )
                for k in range(per_folio):
                    decision_id += 1
                    last = k == per_folio - 1
                    decision_rows.append(
                        dict(
                            id=decision_id,
                            folio=folio,
                            route=route if last else "pending_documents",
                            ruleset="2026.11.4",
                            evaluated_at=at + timedelta(hours=k),
                            complete_at=None,
                            body=decision_body(folio, route if last else "pending_documents", at + timedelta(hours=k)),
                        )
                    )
                queue_rows.append(dict(folio=folio, queue=route, entered_at=at, decision_id=decision_id))
                audit_rows += [
                    dict(at=at, actor="ana", role="operator", action=a, folio=folio, source="127.0.0.1", detail={})
                    for a in ("claim", "release")
                ]
            conn.execute(insert(folios), folio_rows)
            conn.execute(insert(decisions), decision_rows)
            conn.execute(insert(queue_entries), queue_rows)
            conn.execute(insert(audit_log), audit_rows)
        conn.exec_driver_sql(f"SELECT setval('decisions_id_seq', {decision_id})")
        conn.exec_driver_sql("ANALYZE")
        counts = {q: 0 for q, _ in QUEUE_SHARE}
        for (queue,) in conn.execute(select(queue_entries.c.queue)):
            counts[queue] += 1
    engine.dispose()
    return counts


def timed(client: TestClient, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        began = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return times


def login(client: TestClient, name: str) -> None:
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    answer = client.post("/console/login", data={"csrf": token, "usuario": name, "contrasena": PASSWORD})
    assert answer.status_code in (200, 303), answer.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folios", type=int, default=10_000)
    parser.add_argument("--decisions-per-folio", type=int, default=5)
    parser.add_argument("-n", type=int, default=40)
    args = parser.parse_args()
    pg = PostgresServer()
    try:
        url = pg.create_database("console_bench")
        upgrade(url)
        began = time.perf_counter()
        counts = fill(url, args.folios, args.decisions_per_folio)
        print(
            f"filled {args.folios} folios, {args.folios * args.decisions_per_folio} decisions in "
            f"{time.perf_counter() - began:.0f} s: {counts}",
            file=sys.stderr,
        )
        home = Path(tempfile.mkdtemp(prefix="console-bench-"))
        settings = Settings(home=home, database_url=url)
        engine = create_engine(url)
        create_user(engine, "ana", "operator", PASSWORD)
        create_user(engine, "beto", "compliance", PASSWORD)
        largest = max(counts, key=lambda q: counts[q])
        deep = max(1, -(-counts[largest] // 50))  # the last page
        rng = random.Random(7)
        rows = []
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            login(client, "ana")
            timed(client, f"/console/queues/{largest}", 3)  # warm-up: templates compiled, pool filled
            cases = [
                (f"queue page 1 ({largest}, {counts[largest]} folios)", lambda: f"/console/queues/{largest}"),
                (
                    f"queue page {deep} (last, OFFSET {(deep - 1) * 50})",
                    lambda: f"/console/queues/{largest}?page={deep}",
                ),
                (
                    f"folio page ({args.decisions_per_folio} decisions), operator",
                    lambda: f"/console/folios/BENCH-{rng.randrange(args.folios):06d}",
                ),
            ]
            for label, path in cases:
                times = [timed(client, path(), 1)[0] for _ in range(args.n)]
                rows.append((label, times))
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            login(client, "beto")
            timed(client, "/console/folios/BENCH-000001", 3)
            times = [
                timed(client, f"/console/folios/BENCH-{rng.randrange(args.folios):06d}", 1)[0] for _ in range(args.n)
            ]
            rows.append(("folio page, compliance (+ its audit rows)", times))
            # the findings page reads every decision of the period (storage.reporting.period_data)
            timed(client, "/console/findings?desde=2000-01-01", 1)
            rows.append(
                (
                    "findings page (every decision: period from 2000)",
                    [timed(client, "/console/findings?desde=2000-01-01", 1)[0] for _ in range(max(3, args.n // 8))],
                )
            )
        print("| page | median ms | p95 ms |\n|---|---|---|")
        for label, times in rows:
            p95 = sorted(times)[int(len(times) * 0.95) - 1]
            print(f"| {label} | {statistics.median(times):.0f} | {p95:.0f} |")
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
