"""The rule catalogue (domain.rules, defaults/rules_es.yaml) is the one place a rule's outcome is
stated: it agrees with ../shared/RULES.md, every code the source emits is in it, and findings are
built from it (no `Finding(...)` outside the domain), with the catalogue's message templates: every
template is a valid format string, every cause a call site names is in the catalogue, and no
converted validator writes a message of its own."""

from __future__ import annotations

import re
import string
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
    made = finding("PKG-007", "duplicate", {"same_as": "a.pdf"}, first_file="a.pdf")
    assert made.outcome is Outcome.WARN and made.code == "PKG-007"
    assert made.message_es == "Este archivo es idéntico a a.pdf; se conserva una sola vez."
    assert made.evidence == {"same_as": "a.pdf"}
    assert finding("CFDI-007", "status_unavailable").outcome is Outcome.RETRY


def test_a_template_keeps_its_format_spec():
    made = finding("PKG-005", "too_large", {}, total_mb=51.26, limit_mb=50.0)
    assert made.message_es.startswith("Los archivos suman 51.3 MB; el máximo es 50 MB.")


def test_an_unknown_cause_or_a_missing_parameter_is_refused_by_name():
    with pytest.raises(ValueError, match="PKG-007 has no message for cause 'twice'"):
        finding("PKG-007", "twice")
    with pytest.raises(ValueError, match="PKG-007 message 'duplicate' needs the parameter 'first_file'"):
        finding("PKG-007", "duplicate", {"same_as": "a.pdf"})


def test_every_template_is_a_valid_format_string_of_named_fields():
    templates = [(code, cause, text) for code, r in catalogue().items() for cause, text in r.messages.items()]
    assert len(templates) >= 40
    for code, cause, text in templates:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        assert all(name.isidentifier() for name in fields), (code, cause, fields)


CALL = re.compile(r'\b(?:finding|_f)\(\s*"([A-Z]{3,4}-\d{3})",\s*"(\w+)"')
# A finding (or validators.cfdi's _f) built with a sentence (a string with a space) as its message or as the argument after the code.
PROSE = re.compile(r"""\b(?:finding|_f)\(\s*(?:"[A-Z]{3,4}-\d{3}",\s*)?f?["'][^"']*\s""")


def test_every_cause_named_at_a_call_site_is_in_the_catalogue():
    calls = {pair for path in product_sources() for pair in CALL.findall(path.read_text(encoding="utf-8"))}
    assert len(calls) >= 50  # the scan itself works
    assert sorted((code, cause) for code, cause in calls if cause not in rule(code).messages) == []


def test_no_converted_validator_writes_a_message_of_its_own():
    modules = list((ROOT / "validators").glob("*.py"))
    assert len(modules) >= 8
    for path in modules:
        text = path.read_text(encoding="utf-8")
        assert "message_es" not in text, path.name
        assert not PROSE.search(text), path.name
    assert PROSE.search('finding("PKG-007", f"Este archivo es idéntico a {x}")')  # the check can fail


def test_only_a_configurable_rule_takes_another_outcome():
    assert rule("FORM-001").finding("x", outcome=Outcome.REJECT).outcome is Outcome.REJECT
    assert rule("CFDI-021").finding("x", outcome=Outcome.REJECT).outcome is Outcome.REJECT
    with pytest.raises(ValueError, match="CSF-004 is always reject"):
        rule("CSF-004").finding("x", outcome=Outcome.WARN)
    assert {c for c, r in catalogue().items() if r.outcome_from} == {"FORM-001", "CFDI-021"}


def test_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        finding("PKG-999", "x")
