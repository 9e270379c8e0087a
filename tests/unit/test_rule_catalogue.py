"""The rule catalogue (domain.rules, defaults/rules_es.yaml) is the one place a rule's outcome is
stated: it agrees with ../shared/RULES.md, every code the source emits is in it, and findings are
built from it (no `Finding(...)` outside the domain)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.findings import Outcome
from domain.rules import catalogue, finding, rule

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\|\s*([A-Z]{3,4}-\d{3})\s*\|\s*(reject|warn|retry)\s*\|", re.M)
CODE = re.compile(r"""["']([A-Z]{3,4}-\d{3})["']""")
PRODUCT = (
    "validators", "sat", "extractors", "claim_intake", "flows", "storage", "domain", "application",
    "reports", "notify", "processes", "api",
)  # fmt: skip


def rules_md() -> Path | None:
    """../shared/RULES.md from the checkout (or from the folder holding a worktree's checkout)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "RULES.md").is_file():
            return base / "shared" / "RULES.md"
    return None


def product_sources() -> list[Path]:
    return [path for folder in PRODUCT for path in (ROOT / folder).rglob("*.py")]


def test_every_code_of_rules_md_is_in_the_catalogue_with_its_outcome():
    path = rules_md()
    if path is None:
        pytest.skip("../shared/RULES.md is not here")
    stated = dict(ROW.findall(path.read_text(encoding="utf-8")))
    assert len(stated) >= 45  # the table parse itself works
    ours = {code: r.outcome.value for code, r in catalogue().items()}
    assert ours == stated


def test_no_code_is_emitted_that_the_catalogue_lacks():
    emitted = {code for path in product_sources() for code in CODE.findall(path.read_text(encoding="utf-8"))}
    assert len(emitted) >= 40
    assert sorted(emitted - set(catalogue())) == []


def test_findings_are_built_from_the_catalogue_only():
    constructed = [
        path.relative_to(ROOT).as_posix()
        for path in product_sources()
        if re.search(r"\bFinding\(", path.read_text(encoding="utf-8"))
    ]
    assert sorted(constructed) == ["domain/findings.py", "domain/rules.py"]


def test_a_finding_takes_its_outcome_from_the_catalogue():
    made = finding("PKG-007", "Este archivo es idéntico a a.pdf; se conserva una sola vez.", {"same_as": "a.pdf"})
    assert made.outcome is Outcome.WARN and made.code == "PKG-007"
    assert finding("CFDI-007", "x").outcome is Outcome.RETRY


def test_only_a_configurable_rule_takes_another_outcome():
    assert rule("FORM-001").finding("x", outcome=Outcome.REJECT).outcome is Outcome.REJECT
    assert rule("CFDI-021").finding("x", outcome=Outcome.REJECT).outcome is Outcome.REJECT
    with pytest.raises(ValueError, match="CSF-004 is always reject"):
        rule("CSF-004").finding("x", outcome=Outcome.WARN)
    assert {c for c, r in catalogue().items() if r.outcome_from} == {"FORM-001", "CFDI-021"}


def test_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        finding("PKG-999", "x")
