"""Issue 14, the kinds of tests/realworld/others.py (declaration letters, medical reports,
prescriptions, student certificates, foreign invoices and receipts): classification and the
fields a clerk reads, measured per kind and per field, digital and scanned apart.

A field is `exact` when it equals what the clerk read, `missing` when the extraction left it
None (FOR-002 and the adjudicator then know it was not read), `wrong` when it holds another
value: the one outcome that may pass a rule unnoticed, so it has a stricter budget."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import extractors
from claim_intake.text import fold
from extractors.sniff import sniff_media_type
from realworld import others

FIELD_TARGETS = {"digital": 0.98, "scanned": 0.95}
CLASSIFICATION_TARGET = 0.98
WRONG_BUDGET = 0.02  # of all expected fields, per group


@lru_cache(maxsize=1)
def _read():
    cases = others.cases()

    def read(case):
        return extractors.read_document(case.name, case.data, sniff_media_type(case.data))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return tuple(zip(cases, pool.map(read, cases)))


def _same(expected, got) -> bool:
    """Equal as what the value is: an amount as a number, a date by the calendar, text without
    case, accents or runs of spaces."""
    if got is None:
        return False
    try:
        return Decimal(str(expected)) == Decimal(str(got))
    except InvalidOperation:
        pass
    if isinstance(got, date):
        return str(expected) == got.isoformat()
    return " ".join(fold(str(expected)).split()) == " ".join(fold(str(got)).split())


def outcome(expected, got) -> str:
    if got is None:
        return "missing"
    return "exact" if _same(expected, got) else "wrong"


def _tally():
    kinds, fields, misses = Counter(), Counter(), []
    for case, doc in _read():
        kinds[(case.kind, case.group, doc.kind.value == case.kind)] += 1
        if doc.kind.value != case.kind:
            misses.append((case.name, "kind", case.kind, doc.kind.value))
        for name, expected in case.expected.items():
            got = getattr(doc.extraction, name, None) if doc.kind.value == case.kind else None
            result = outcome(expected, got)
            fields[(case.kind, name, case.group, result)] += 1
            if result != "exact":
                misses.append((case.name, name, expected, got))
    return kinds, fields, misses


def test_the_set_is_varied():
    cases = others.cases()
    layouts: dict[str, set[str]] = {}
    for case in cases:
        layouts.setdefault(case.kind, set()).add(case.layout)
        assert case.expected, case.name
    assert len(layouts["foreign_invoice"]) >= 6
    for kind in ("dependent_declaration", "medical_report", "prescription"):
        assert len(layouts[kind]) >= 4, kind
    assert {c.group for c in cases} == {"digital", "scanned"}
    assert any(c.name.endswith(".jpg") for c in cases)


def test_accuracy_meets_the_targets(capsys):
    kinds, fields, misses = _tally()
    with capsys.disabled():
        print("\nrealworld others: classification")
        for group in ("digital", "scanned"):
            right = sum(n for (k, g, ok), n in kinds.items() if g == group and ok)
            total = sum(n for (k, g, ok), n in kinds.items() if g == group)
            print(f"  {group}: {right}/{total} = {right / total:.1%}")
        print("realworld others: fields (exact / missing / wrong)")
        for key in sorted({(k, f, g) for k, f, g, _ in fields}):
            counts = {r: fields[(*key, r)] for r in ("exact", "missing", "wrong")}
            print(f"  {key[0]:22} {key[1]:14} {key[2]:8} {counts['exact']}/{sum(counts.values())}"
                  f"  missing {counts['missing']}  wrong {counts['wrong']}")
        for miss in misses:
            print("  MISS", miss)
    for group in ("digital", "scanned"):
        right = sum(n for (k, g, ok), n in kinds.items() if g == group and ok)
        total = sum(n for (k, g, ok), n in kinds.items() if g == group)
        assert right / total >= CLASSIFICATION_TARGET, (group, misses)
        exact = sum(n for (k, f, g, r), n in fields.items() if g == group and r == "exact")
        wrong = sum(n for (k, f, g, r), n in fields.items() if g == group and r == "wrong")
        total = sum(n for (k, f, g, r), n in fields.items() if g == group)
        assert exact / total >= FIELD_TARGETS[group], (group, misses)
        assert wrong / total <= WRONG_BUDGET, (group, misses)


def test_outcome_categories():
    assert outcome("2026-10-14", date(2026, 10, 14)) == "exact"
    assert outcome("850.00", Decimal("850")) == "exact"
    assert outcome("Clínica Universidad de Navarra", "CLINICA UNIVERSIDAD  DE NAVARRA") == "exact"
    assert outcome("US", None) == "missing"
    assert outcome("2026-10-14", date(2026, 10, 4)) == "wrong"
