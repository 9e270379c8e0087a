"""Per-portal API keys. A key is `cik_<id>.<secret>` with 32 random bytes of secret; only the
SHA-256 of the secret is stored (a high-entropy secret needs no slow hash), so a leaked database
does not leak usable keys. The plain key is shown once, when created."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from storage.schema import api_keys

PORTAL_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_KEY_RE = re.compile(r"^cik_([0-9a-f]{16})\.([A-Za-z0-9_-]{20,100})$")
_KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(engine: Engine, portal: str) -> str:
    if not PORTAL_RE.match(portal):
        raise ValueError(f"portal name {portal!r}: use lower-case letters, digits, '.', '_' or '-' (max 64)")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    api_keys.create(engine, checkfirst=True)
    with engine.begin() as conn:
        conn.execute(
            insert(api_keys).values(
                key_id=key_id, portal=portal, secret_sha256=_hash(secret), created_at=datetime.now(UTC)
            )
        )
    return f"cik_{key_id}.{secret}"


def key_id_of(key: str) -> str | None:
    """The id of a key given whole (`cik_<id>.<secret>`) or as its id alone; None otherwise."""
    if match := _KEY_RE.match(key.strip()):
        return match[1]
    return key.strip() if _KEY_ID_RE.match(key.strip()) else None


def revoke_key(engine: Engine, key_id: str) -> bool:
    """Revoke by id (`claim-intake api-key revoke`); False when no active key has it."""
    with engine.begin() as conn:
        return (
            conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            ).rowcount
            == 1
        )


def portal_of(engine: Engine, key: str | None) -> str | None:
    """The portal a key belongs to, or None (unknown, malformed or revoked)."""
    match = _KEY_RE.match(key or "")
    if not match:
        return None
    with engine.begin() as conn:
        row = conn.execute(
            select(api_keys.c.portal, api_keys.c.secret_sha256).where(
                api_keys.c.key_id == match[1], api_keys.c.revoked_at.is_(None)
            )
        ).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, _hash(match[2])):
        return None
    return row.portal
