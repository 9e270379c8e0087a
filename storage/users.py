"""Console accounts and their server-side sessions (api/console/).

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended
parameter set); a hash made with older parameters is upgraded at the next successful login.
A session is a random token in the browser's cookie and its SHA-256 here: logging out or
disabling the user deletes the rows, so the session ends everywhere at once."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.errors import InputError

from .schema import console_sessions, users

ROLES = ("operator", "compliance", "admin")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10

_hasher = PasswordHasher()


# verified against when the user does not exist, so an unknown name costs the same time
@cache
def _dummy_hash() -> str:
    """Built on the first login, not at import: an argon2 hash costs tens of milliseconds."""
    return _hasher.hash(secrets.token_urlsafe(16))


class UserError(InputError, ValueError):
    """A user name, role or password that cannot be accepted; the message says which."""


@dataclass(frozen=True)
class User:
    name: str
    role: str


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(engine: Engine, name: str, role: str, password: str) -> User:
    if not NAME_RE.match(name):
        raise UserError(f"user name {name!r}: 2-64 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise UserError(f"role {role!r}: one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(users).values(name=name, role=role, password_hash=_hasher.hash(password), created_at=_now())
            )
    except IntegrityError:
        raise UserError(f"user {name!r} already exists") from None
    return User(name, role)


def list_users(engine: Engine) -> list[dict]:
    """Every account, active first, by name: name, role, created_at, disabled_at (no hashes)."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(users.c.name, users.c.role, users.c.created_at, users.c.disabled_at).order_by(
                users.c.disabled_at.is_not(None), users.c.name
            )
        )
        return [dict(r._mapping) for r in rows]


def disable_user(engine: Engine, name: str) -> bool:
    """Disable an active user and end their sessions; False when no active user has the name."""
    with engine.begin() as conn:
        done = (
            conn.execute(
                update(users).where(users.c.name == name, users.c.disabled_at.is_(None)).values(disabled_at=_now())
            ).rowcount
            == 1
        )
        conn.execute(delete(console_sessions).where(console_sessions.c.user_name == name))
    return done


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The active user whose password this is, else None (unknown, disabled or wrong)."""
    with engine.begin() as conn:
        row = conn.execute(
            select(users.c.name, users.c.role, users.c.password_hash).where(
                users.c.name == name, users.c.disabled_at.is_(None)
            )
        ).first()
    try:
        _hasher.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password)))
    return User(row.name, row.role)


def open_session(engine: Engine, user: User, lifetime: timedelta) -> tuple[str, Session]:
    """A new session for `user`: (the token for the cookie, the session)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(
            insert(console_sessions).values(
                token_sha256=_digest(token), user_name=user.name, csrf=csrf, created_at=now, expires_at=now + lifetime
            )
        )
    return token, Session(user, csrf)


def session_of(engine: Engine, token: str | None) -> Session | None:
    """The live session of a cookie's token: unexpired, its user still active."""
    if not token:
        return None
    with engine.begin() as conn:
        row = conn.execute(
            select(users.c.name, users.c.role, console_sessions.c.csrf, console_sessions.c.expires_at)
            .join(users, users.c.name == console_sessions.c.user_name)
            .where(console_sessions.c.token_sha256 == _digest(token), users.c.disabled_at.is_(None))
        ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)  # SQLite drops tz
    if expires <= _now():
        return None
    return Session(User(row.name, row.role), row.csrf)


def close_session(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(delete(console_sessions).where(console_sessions.c.token_sha256 == _digest(token)))
