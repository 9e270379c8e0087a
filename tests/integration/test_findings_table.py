"""decision_findings (issue 16 #5): the console's findings view reads an indexed table written
with each decision instead of every decision body of the period. On both backends: the table
says exactly what the period report's findings say (every decision of the period, numbered in
its folio's history, the folio's current claim type and portal), the CSV's keyset batches give
the whole list, the rows commit with their decision, and migration 0007 back-fills databases
that hold decisions from before the table (Alembic's, and the embedded SQLite that create_all
built)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory
from factories import manifest_json
from sqlalchemy import create_engine, func, select, text

from domain.decision import Decision, DocumentResult, DocumentStatus, Route
from domain.findings import Finding, Outcome
from domain.folio import parse_manifest
from domain.kinds import DocumentKind
from storage import StateStore
from storage.findings import FindingQuery, code_counts, finding_rows, iter_findings, page_of_findings
from storage.migrations import alembic_config, schema_drift, upgrade
from storage.reporting import FINDING_COLUMNS, period_data
from storage.schema import decision_findings

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
START, END = date(2026, 11, 10), date(2026, 11, 12)
RFC = "LOGM850312QH5"


def before_0007() -> str:
    """The revision 0007 follows (re-chained when branches merge), read from the scripts."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0007").down_revision


def url_of(backend: str, tmp_path, request) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("fresh_pg_database")
    return f"sqlite:///{tmp_path / 'f.sqlite'}"


def decision(route: Route, folio: str, evaluated_at: datetime = T0, **fields) -> Decision:
    return Decision(
        folio=folio, route=route, ruleset="test", evaluated_at=evaluated_at, as_of=date(2026, 11, 20), **fields
    )


def finding(code: str, outcome: Outcome = Outcome.REJECT, message: str = "mensaje") -> Finding:
    return Finding(code=code, outcome=outcome, message_es=message)


def doc(file: str, kind: DocumentKind, *codes: str) -> DocumentResult:
    return DocumentResult(
        file=file,
        sha256="0" * 64,
        size=10,
        kind=kind,
        status=DocumentStatus.REJECTED if codes else DocumentStatus.ACCEPTED,
        findings=[finding(c, message=f"{c} de {RFC}") for c in codes],
    )


def history(store: StateStore) -> None:
    """Three folios, seven decisions, ties in evaluated_at, folio and document findings, a folio
    without a portal, one decision before the period and one after it."""
    for folio, portal, claim in (
        ("A-1", "web", "reembolso"),
        ("B-2", None, "pago_proveedor"),
        ("C-3", "app", "reembolso"),
    ):
        store.register_folio(parse_manifest(manifest_json(folio=folio, portal=portal, claim_type=claim)))
    csf = DocumentKind.TAX_STATUS_CERTIFICATE
    plan = [
        ("A-1", T0 - timedelta(days=3), Route.PENDING_DOCUMENTS, [doc(f"csf_{RFC}.pdf", csf, "CSF-002")], ["REQ-001"]),
        (
            "A-1",
            T0,
            Route.PENDING_DOCUMENTS,
            [doc("csf.pdf", csf, "CSF-002", "CSF-003"), doc("x.xml", DocumentKind.CFDI_XML)],
            ["REQ-001"],
        ),
        ("B-2", T0, Route.PENDING_DOCUMENTS, [doc("f.xml", DocumentKind.CFDI_XML, "CFDI-003")], []),
        ("A-1", T0, Route.ADJUDICATION, [doc("csf.pdf", csf, "CSF-002")], []),  # same moment, later decision
        ("C-3", T0 + timedelta(hours=5), Route.AWAITING_SAT, [doc("c.xml", DocumentKind.CFDI_XML, "CFDI-007")], []),
        ("C-3", T0 + timedelta(days=1), Route.ADJUDICATION, [], []),
        ("B-2", T0 + timedelta(days=4), Route.ADJUDICATION, [doc("f.xml", DocumentKind.CFDI_XML, "CFDI-003")], []),
    ]
    for folio, at, route, docs, folio_codes in plan:
        store.record_decision(
            decision(
                route,
                folio=folio,
                evaluated_at=at,
                documents=docs,
                folio_findings=[finding(c, Outcome.WARN) for c in folio_codes],
            )
        )


def report_rows(engine, chosen: dict[str, str]) -> list[dict]:
    """What the console listed before the table: period_data's findings, filtered, newest first."""
    rows = period_data(engine, START, END).findings
    kept = [r for r in rows if all(str(r.get(k) or "") == v for k, v in chosen.items())]
    return [_cols(r) for r in sorted(kept, key=lambda r: (r["evaluated_at"], r["folio"]), reverse=True)]


def _cols(row: dict) -> dict:
    return {k: row[k] for k in FINDING_COLUMNS}


FILTER_CASES = [
    {},
    {"code": "CSF-002"},
    {"code": "CSF-002", "route": "adjudication"},
    {"portal": "-"},
    {"claim_type": "reembolso", "outcome": "warn"},
    {"kind": "tax_status_certificate"},
    {"code": "NONE-001"},
]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_table_lists_what_the_period_report_finds(backend, tmp_path, request):
    store = StateStore.from_url(url_of(backend, tmp_path, request))
    history(store)
    for chosen in FILTER_CASES:
        expected = report_rows(store.engine, chosen)
        query = FindingQuery(START, END, chosen)
        assert [_cols(r) for r in page_of_findings(store.engine, query, 100)] == expected, chosen
        counts = code_counts(store.engine, query)
        assert counts.counts == dict(Counter(r["code"] for r in expected)), chosen
        assert counts.total == len(expected)
        # the CSV's keyset batches, two rows each, through ties of moment and folio
        assert [_cols(r) for r in iter_findings(store.engine, query, counts.last_decision, batch=2)] == expected
        assert [_cols(r) for r in page_of_findings(store.engine, query, 2, 3)] == expected[3:5]
    everything = report_rows(store.engine, {})
    assert len(everything) == 6 and {r["decision_no"] for r in everything} == {1, 2, 3}  # A-1's first is before
    same_moment = [(r["decision_no"], r["code"]) for r in everything if r["folio"] == "A-1"]
    assert same_moment == [(2, "REQ-001"), (2, "CSF-002"), (2, "CSF-003"), (3, "CSF-002")]  # folio finding first
    store.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_changed_manifest_moves_its_folios_rows(backend, tmp_path, request):
    """The report joins the folio's current claim type and portal; the rows follow a new manifest."""
    store = StateStore.from_url(url_of(backend, tmp_path, request))
    history(store)
    store.register_folio(parse_manifest(manifest_json(folio="B-2", portal="nuevo", claim_type="alta_cuenta")))
    for chosen in ({"portal": "nuevo"}, {"portal": "-"}, {"claim_type": "alta_cuenta"}):
        expected = report_rows(store.engine, chosen)
        assert [_cols(r) for r in page_of_findings(store.engine, FindingQuery(START, END, chosen), 100)] == expected
    assert len(report_rows(store.engine, {"portal": "nuevo"})) == 1
    store.engine.dispose()


def test_an_export_stops_at_the_decisions_it_counted(tmp_path):
    store = StateStore.from_url(f"sqlite:///{tmp_path / 'e.sqlite'}")
    history(store)
    query = FindingQuery(START, END, {"code": "CSF-002"})
    counts = code_counts(store.engine, query)
    store.record_decision(
        decision(
            Route.PENDING_DOCUMENTS,
            folio="C-3",
            evaluated_at=T0 + timedelta(hours=1),
            documents=[doc("csf.pdf", DocumentKind.TAX_STATUS_CERTIFICATE, "CSF-002")],
        )
    )
    assert len(list(iter_findings(store.engine, query, counts.last_decision))) == counts.total == 2
    assert code_counts(store.engine, query).total == 3


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_rows_commit_with_their_decision_or_not_at_all(backend, tmp_path, request, monkeypatch):
    store = StateStore.from_url(url_of(backend, tmp_path, request))
    store.register_folio(parse_manifest(manifest_json(folio="A-1")))

    def broken(conn, decision_id, body, values):
        raise RuntimeError("disk full")

    monkeypatch.setattr("storage.state.write_findings", broken)
    with pytest.raises(RuntimeError):
        store.record_decision(
            decision(Route.PENDING_DOCUMENTS, folio="A-1", documents=[doc("a.pdf", DocumentKind.OTHER, "PKG-001")])
        )
    assert store.history("A-1") == [] and store.queue_of("A-1") is None
    monkeypatch.undo()
    store.record_decision(
        decision(Route.PENDING_DOCUMENTS, folio="A-1", documents=[doc("a.pdf", DocumentKind.OTHER, "PKG-001")])
    )
    with store.engine.begin() as conn:
        assert conn.execute(select(decision_findings.c.code)).scalars().all() == ["PKG-001"]
    store.engine.dispose()


def _old_decisions(engine, bodies: int = 1200) -> list[dict]:
    """Decisions written as a database before the table holds them: folios and decisions rows only.
    More than one back-fill batch, each with a folio finding and a document finding."""
    expected = []
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO folios (folio, claim_type, portal, manifest, created_at, updated_at) "
                "VALUES ('OLD-1', 'reembolso', NULL, '{}', :t, :t)"
            ),
            {"t": T0},
        )
        for n in range(bodies):
            body = decision(
                Route.PENDING_DOCUMENTS,
                folio="OLD-1",
                evaluated_at=T0 + timedelta(seconds=n),
                documents=[doc(f"d{n}.pdf", DocumentKind.OTHER, "PKG-001")],
                folio_findings=[finding("REQ-001", Outcome.WARN)],
            ).model_dump(mode="json")
            conn.execute(
                text(
                    "INSERT INTO decisions (id, folio, route, ruleset, evaluated_at, body) "
                    "VALUES (:id, 'OLD-1', 'pending_documents', 'test', :at, :body)"
                ),
                {"id": n + 1, "at": T0 + timedelta(seconds=n), "body": json.dumps(body)},
            )
            values = {
                "folio": "OLD-1",
                "route": "pending_documents",
                "ruleset": "test",
                "claim_type": "reembolso",
                "portal": None,
            }
            expected += [{k: v for k, v in r.items() if k != "evaluated_at"} for r in finding_rows(n + 1, body, values)]
    return expected


def _stored(engine) -> list[dict]:
    with engine.begin() as conn:
        rows = conn.execute(
            select(decision_findings).order_by(decision_findings.c.decision_id, decision_findings.c.position)
        )
        return [{k: v for k, v in r._mapping.items() if k != "evaluated_at"} for r in rows]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0007_back_fills_existing_decisions(backend, tmp_path, request):
    """A database migrated to the revision before 0007 holds decisions; the new code opened it
    first (create_all made the table empty and recorded one decision with its rows); then the
    upgrade fills every other decision's rows in batches and none twice."""
    url = url_of(backend, tmp_path, request)
    upgrade(url, before_0007())
    engine = create_engine(url)
    expected = _old_decisions(engine)
    if backend == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('decisions_id_seq', 1200)"))
        store = StateStore.from_url(url)  # PostgreSQL: create_all adds the table; the operator migrates
        store.record_decision(
            decision(
                Route.ADJUDICATION,
                folio="OLD-1",
                evaluated_at=T0 + timedelta(days=1),
                documents=[doc("n.pdf", DocumentKind.OTHER, "PKG-002")],
            )
        )
        assert len(_stored(engine)) == 1
        store.engine.dispose()
        expected.append(
            {
                "decision_id": 1201,
                "position": 0,
                "folio": "OLD-1",
                "claim_type": "reembolso",
                "portal": "-",
                "route": "adjudication",
                "ruleset": "test",
                "file": "n.pdf",
                "kind": "other",
                "code": "PKG-002",
                "outcome": "reject",
                "message_es": f"PKG-002 de {RFC}",
            }
        )
    upgrade(url)
    assert _stored(engine) == [{**e, "portal": "-"} for e in expected]
    query = FindingQuery(START, END)
    assert [_cols(r) for r in page_of_findings(engine, query, 5000)] == report_rows(engine, {})
    assert schema_drift(engine) == []
    engine.dispose()


def test_an_embedded_database_from_before_the_table_is_back_filled_when_opened(tmp_path):
    """The embedded default's SQLite (create_all, never migrated) with decisions and no
    decision_findings: opening it fills the table (migration 0007 through the adoption path)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, before_0007())
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # as create_all left it
    expected = _old_decisions(engine, bodies=3)
    store = StateStore.from_url(url)
    assert _stored(store.engine) == [{**e, "portal": "-"} for e in expected]
    with store.engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(decision_findings)).scalar() == 6
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() is not None
    StateStore.from_url(url)  # opened again: nothing to adopt, nothing doubled
    assert len(_stored(store.engine)) == 6
    assert schema_drift(store.engine) == []
    store.engine.dispose()
    engine.dispose()
