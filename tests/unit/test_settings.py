"""Settings grouped (SAT, storage, API, mail, reader) while every CLAIM_INTAKE_* name keeps
working (issue 12, item 5): each variable of CONTRACT.md sets what it did, and every flat field
reaches its group."""

from __future__ import annotations

import os
import re
import typing
from pathlib import Path

import pytest

from domain.config import (
    ApiSettings,
    MailSettings,
    ReaderSettings,
    RecoverySettings,
    SatSettings,
    Settings,
    StorageSettings,
)

# ../shared/CONTRACT.md next to the checkout (one level further up from a git worktree).
CONTRACT = next(
    (
        p / "shared" / "CONTRACT.md"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "CONTRACT.md").is_file()
    ),
    None,
)
GROUPS = {
    "sat": SatSettings,
    "storage": StorageSettings,
    "api": ApiSettings,
    "mail": MailSettings,
    "reader": ReaderSettings,
    "recovery": RecoverySettings,
}
UNGROUPED = {"ruleset_file"}  # the rule set is the business's, not a deployment adapter's

# CONTRACT.md's variables: the value set, then where it must show (flat field, group.field, value).
CONTRACT_CASES = {
    "CLAIM_INTAKE_HOME": ("/srv/claims", "home", "storage.home", Path("/srv/claims")),
    "CLAIM_INTAKE_SAT_STATUS_URL": (
        "http://sat.test/c.svc",
        "sat_status_url",
        "sat.status_url",
        "http://sat.test/c.svc",
    ),
    "CLAIM_INTAKE_SAT_CSF_URL": ("http://sat.test/v.jsf", "sat_csf_url", "sat.csf_url", "http://sat.test/v.jsf"),
    "CLAIM_INTAKE_EFOS_LIST": ("/data/69b.csv", "efos_list", "sat.efos_list", "/data/69b.csv"),
    "CLAIM_INTAKE_SAT_TIMEOUT_S": ("2.5", "sat_timeout_s", "sat.timeout_s", 2.5),
    "CLAIM_INTAKE_SAT_CHECKS": ("false", "sat_checks", "sat.checks", False),
}


@pytest.fixture(autouse=True)
def _defaults_only(monkeypatch):
    """Only what each test sets (the session switches SAT checks off, for one)."""
    for name in [n for n in os.environ if n.startswith("CLAIM_INTAKE_")]:
        monkeypatch.delenv(name)


def _sources() -> dict[str, str]:
    """flat field -> "group.field", from the groups' own mapping."""
    out = {}
    for group_name, group in GROUPS.items():
        for name in group.model_fields:
            out[group._flat.get(name, group._prefix + name)] = f"{group_name}.{name}"
    return out


def _read(settings: Settings, dotted: str):
    group, name = dotted.split(".")
    return getattr(getattr(settings, group), name)


@pytest.mark.skipif(CONTRACT is None, reason="../shared/CONTRACT.md is not next to this checkout")
def test_every_contract_variable_is_checked_here():
    named = set(re.findall(r"\| `(CLAIM_INTAKE_[A-Z0-9_]+)` \|", CONTRACT.read_text()))
    assert named and named == set(CONTRACT_CASES)


@pytest.mark.parametrize("variable", sorted(CONTRACT_CASES))
def test_each_contract_variable_sets_what_it_did(variable, monkeypatch):
    raw, flat, grouped, value = CONTRACT_CASES[variable]
    default = Settings()
    monkeypatch.setenv(variable, raw)
    settings = Settings()
    assert getattr(settings, flat) == value != getattr(default, flat)
    assert _read(settings, grouped) == value


def test_every_flat_field_belongs_to_exactly_one_group():
    sources = _sources()
    assert set(sources) | UNGROUPED | {"home"} == set(Settings.model_fields)
    assert len(sources) == sum(len(g.model_fields) for g in GROUPS.values())  # no field twice


def _sample(annotation) -> tuple[str, object]:
    """An environment value for a field of this type, and what it reads as."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kind = args[0]
    if typing.get_origin(annotation) is typing.Literal or typing.get_origin(kind) is typing.Literal:
        choices = typing.get_args(kind if typing.get_origin(kind) is typing.Literal else annotation)
        return choices[-1], choices[-1]
    return {
        bool: ("false", False),
        int: ("7", 7),
        float: ("7.5", 7.5),
        Path: ("/tmp/somewhere", Path("/tmp/somewhere")),
        str: ("s3://bucket/x", "s3://bucket/x"),
    }[kind]


@pytest.mark.parametrize("flat", sorted(_sources()))
def test_every_environment_name_reaches_its_group(flat, monkeypatch):
    annotation = typing.get_type_hints(Settings)[flat]
    raw, value = _sample(annotation)
    monkeypatch.setenv(f"CLAIM_INTAKE_{flat.upper()}", raw)
    settings = Settings()
    assert getattr(settings, flat) == value
    assert _read(settings, _sources()[flat]) == value


def test_keyword_construction_and_copies_keep_the_groups_in_step():
    settings = Settings(home=Path("/h"), api_batch_window_s=0.2, smtp_from="x@y.test")
    assert settings.api.batch_window_s == 0.2 and settings.mail.sender == "x@y.test"
    assert settings.storage.db_url == settings.db_url == "sqlite:////h/state.sqlite"
    off = settings.model_copy(update={"sat_checks": False})
    assert off.sat.checks is False and settings.sat.checks is True


def test_groups_are_read_only():
    with pytest.raises(ValueError):
        Settings().sat.timeout_s = 1  # type: ignore[misc]
