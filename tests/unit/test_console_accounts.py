"""Console accounts, sessions and the audit trail on SQLite (storage/users.py, storage/audit.py),
and `claim-intake user create/disable` as an administrator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from cli_runner import ROOT, cli
from sqlalchemy import create_engine, select

from storage import StateStore, audit
from storage.migrations import schema_drift, upgrade
from storage.schema import users
from storage.users import UserError, authenticate, close_session, create_user, disable_user, open_session, session_of


@pytest.fixture
def engine(tmp_path):
    return StateStore.from_url(f"sqlite:///{tmp_path / 's.sqlite'}").engine


def test_passwords_are_stored_as_argon2id_and_checked(engine):
    create_user(engine, "ana", "operator", "correct horse battery")
    with engine.begin() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert authenticate(engine, "ana", "correct horse battery").role == "operator"
    assert authenticate(engine, "ana", "wrong password!!") is None
    assert authenticate(engine, "nobody", "correct horse battery") is None


@pytest.mark.parametrize(
    ("name", "role", "password"), [("Ana!", "operator", "x" * 12), ("ana", "boss", "x" * 12), ("ana", "admin", "short")]
)
def test_bad_names_roles_and_passwords_are_refused(engine, name, role, password):
    with pytest.raises(UserError):
        create_user(engine, name, role, password)


def test_disabling_ends_sessions_and_logins(engine):
    user = create_user(engine, "beto", "compliance", "x" * 12)
    token, session = open_session(engine, user, timedelta(hours=1))
    assert session_of(engine, token) == session
    assert disable_user(engine, "beto") and not disable_user(engine, "beto")
    assert session_of(engine, token) is None
    assert authenticate(engine, "beto", "x" * 12) is None


def test_sessions_expire_and_close(engine):
    user = create_user(engine, "caro", "admin", "x" * 12)
    expired, _ = open_session(engine, user, timedelta(seconds=-1))
    assert session_of(engine, expired) is None
    token, _ = open_session(engine, user, timedelta(hours=1))
    close_session(engine, token)
    assert session_of(engine, token) is None and session_of(engine, "forged") is None


def test_the_audit_trail_appends_lists_and_counts(engine):
    audit.append(engine, "ana", "login_failed", source="127.0.0.1")
    audit.append(engine, "ana", "login_failed", source="10.0.0.9")
    audit.append(engine, "ana", "claim", role="operator", folio="F-1", detail={"queue": "adjudication"})
    rows = audit.entries(engine)
    assert [r["action"] for r in rows] == ["claim", "login_failed", "login_failed"]
    assert audit.entries(engine, folio="F-1")[0]["detail"] == {"queue": "adjudication"}
    assert audit.recent_count(engine, "ana", "login_failed", "127.0.0.1", timedelta(minutes=5)) == 1


def test_the_migration_builds_the_console_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url)
    assert schema_drift(create_engine(url)) == []


def test_user_create_and_disable_from_the_command_line(tmp_path):
    home = tmp_path / "home"
    env_cmd = [sys.executable, "-m", "claim_intake.cli", "user", "create", "dora", "--role", "operator"]
    made = subprocess.run(
        [*env_cmd, "--password-stdin"],
        input="a long enough pass\n",
        cwd=ROOT,
        env={**os.environ, "CLAIM_INTAKE_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "created: dora (operator)" in made.stdout
    engine = StateStore.from_url(f"sqlite:///{home / 'state.sqlite'}").engine
    assert authenticate(engine, "dora", "a long enough pass") is not None
    assert cli("user", "disable", "dora", home=home).returncode == 0
    again = cli("user", "disable", "dora", home=home)
    assert again.returncode == 2 and "no active console user" in again.stderr
    assert authenticate(engine, "dora", "a long enough pass") is None
