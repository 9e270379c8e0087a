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
- the folio page as compliance (also reads the folio's audit rows);
- the findings page of the month (every decision: 50,000 at the defaults) from decision_findings:
  first page, last page (OFFSET), a rule-code filter, a portal + document kind filter, and the
  month's CSV export (streamed, timed to its last byte).

decision_findings is filled the way an existing installation's is: the decisions are written
at the revision before 0007, then `upgrade` runs migration 0007, whose back-fill reads the
bodies in batches (timed and printed). `--explain` prints PostgreSQL's plans of the findings
queries to stderr.

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

from alembic.script import ScriptDirectory  # noqa: E402 - after the sys.path set-up above
from fastapi.testclient import TestClient  # noqa: E402 - after the sys.path set-up above
from pg import PostgresServer  # noqa: E402 - after the sys.path set-up above
from sqlalchemy import create_engine, insert, select  # noqa: E402 - after the sys.path set-up above

from api.app import create_app  # noqa: E402 - after the sys.path set-up above
from domain.config import Settings  # noqa: E402 - after the sys.path set-up above
from storage.findings import FindingQuery, count_query, list_query  # noqa: E402 - after the sys.path set-up above
from storage.migrations import alembic_config, upgrade  # noqa: E402 - after the sys.path set-up above
from storage.schema import audit_log, decisions, folios, queue_entries  # noqa: E402 - after the sys.path set-up above
from storage.users import create_user  # noqa: E402 - after the sys.path set-up above

QUEUE_SHARE = [("adjudication", 0.5), ("pending_documents", 0.4), ("awaiting_sat", 0.1)]
KINDS = ["cfdi_xml", "invoice_pdf", "tax_status_certificate", "bank_statement", "claim_form", "medical_report"]
PASSWORD = "bench password 123"
PORTALS = ["web", "app", "agentes", None]
MONTH = "desde=2026-11-01&hasta=2026-11-30"


def doc_findings(route: str, i: int, n: int) -> list[dict]:
    """Pending: a stale CSF (CSF-002) and, one folio in three, a missing document (REQ-001 on the
    folio); awaiting SAT: the CFDI's status timed out (CFDI-007); adjudication: one folio in
    four a bank-statement warning (BANK-003)."""
    if route == "pending_documents" and i == 2:
        return [FINDING["CSF-002"]]
    if route == "awaiting_sat" and i == 0:
        return [FINDING["CFDI-007"]]
    if route == "adjudication" and i == 3 and n % 4 == 0:
        return [FINDING["BANK-003"]]
    return []


FINDING = {
    "CSF-002": {
        "code": "CSF-002",
        "outcome": "reject",
        "message_es": "La constancia de situación fiscal tiene más de 30 días.",
        "evidence": {"issued_on": "2026-10-20", "as_of": "2026-11-20", "age_days": 31, "max_age_days": 30},
    },
    "CFDI-007": {
        "code": "CFDI-007",
        "outcome": "retry",
        "message_es": "No se pudo consultar el estado del CFDI en el SAT; se reintentará.",
        "evidence": {"cause": "timeout"},
    },
    "BANK-003": {
        "code": "BANK-003",
        "outcome": "warn",
        "message_es": "El estado de cuenta no muestra el nombre completo del titular.",
        "evidence": {},
    },
    "REQ-001": {
        "code": "REQ-001",
        "outcome": "reject",
        "message_es": "Falta la constancia de situación fiscal.",
        "evidence": {"kind": "tax_status_certificate"},
    },
}


def decision_body(folio: str, route: str, at: datetime, n: int = 0) -> dict:
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
            "findings": doc_findings(route, i, n),
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
        "folio_findings": [FINDING["REQ-001"]] if route == "pending_documents" and n % 3 == 0 else [],
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
                        portal=PORTALS[n % len(PORTALS)],
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
                            body=decision_body(
                                folio, route if last else "pending_documents", at + timedelta(hours=k), n
                            ),
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


def before_findings_table(url: str) -> str:
    """The revision migration 0007 follows (whatever the branches were merged into)."""
    return ScriptDirectory.from_config(alembic_config(url)).get_revision("0007").down_revision


def backfilled(url: str) -> int:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE decision_findings")
        found = conn.exec_driver_sql("SELECT count(*) FROM decision_findings").scalar_one()
    engine.dispose()
    return found


def explain(url: str) -> None:
    """PostgreSQL's plans of the findings queries (the page, the bars), for the indexes' sake."""
    engine = create_engine(url)
    month, day = (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 11, 3), date(2026, 11, 3))
    cases = [(month, {}), (month, {"code": "CSF-002"}), (month, {"portal": "web", "kind": "bank_statement"})]
    for period, chosen in cases + [(month, {"code": "BANK-003"}), (day, {})]:
        query = FindingQuery(*period, chosen)
        page = list_query(query, 50, 0)
        with engine.begin() as conn:
            for label, stmt in (("page", page), ("bars", count_query(query))):
                sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
                plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}").scalars().all()
                print(f"-- {label} {period[0]}..{period[1]} {chosen}\n" + "\n".join(plan), file=sys.stderr)
    engine.dispose()


def findings_cases(client: TestClient, n: int) -> list[tuple[str, list[float]]]:
    """The findings page of the month (every decision), filtered, its last page, and its CSV."""
    first = client.get(f"/console/findings?{MONTH}")
    total = int(re.search(r"<small>[^<]*· (\d+)</small>", first.text)[1])
    last = max(1, -(-total // 50))
    cases = [
        (f"findings page 1 (a month: all {total:,} findings)", f"/console/findings?{MONTH}"),
        (f"findings page {last} (the last, OFFSET {(last - 1) * 50:,})", f"/console/findings?{MONTH}&page={last}"),
        ("findings page 1, code=CSF-002", f"/console/findings?{MONTH}&code=CSF-002"),
        (
            "findings page 1, portal=web + kind=bank_statement",
            f"/console/findings?{MONTH}&portal=web&kind=bank_statement",
        ),
    ]
    rows = [(label, timed(client, path, n)) for label, path in cases]
    csv = client.get(f"/console/findings.csv?{MONTH}")
    lines = csv.text.count("\n") - 1
    assert lines == total, (lines, total)
    rows.append(
        (
            f"findings CSV of the month ({lines:,} rows, streamed)",
            timed(client, f"/console/findings.csv?{MONTH}", max(3, n // 4)),
        )
    )
    return rows


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
    parser.add_argument("--explain", action="store_true", help="print the findings queries' plans to stderr")
    args = parser.parse_args()
    pg = PostgresServer()
    try:
        url = pg.create_database("console_bench")
        upgrade(url, before_findings_table(url))
        began = time.perf_counter()
        counts = fill(url, args.folios, args.decisions_per_folio)
        print(
            f"filled {args.folios} folios, {args.folios * args.decisions_per_folio} decisions in "
            f"{time.perf_counter() - began:.0f} s: {counts}",
            file=sys.stderr,
        )
        began = time.perf_counter()
        upgrade(url)  # 0007: decision_findings created and back-filled from the bodies
        print(f"{backfilled(url)} finding rows back-filled in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        if args.explain:
            explain(url)
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
            rows += findings_cases(client, max(8, args.n // 2))
        print("| page | median ms | p95 ms |\n|---|---|---|")
        for label, times in rows:
            p95 = sorted(times)[int(len(times) * 0.95) - 1]
            print(f"| {label} | {statistics.median(times):.0f} | {p95:.0f} |")
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
