"""API keys: creation, listing, revocation, and constant-time checking of a presented key.

Only the SHA-256 of a key is stored. Keys are 256-bit random strings, so a fast hash is enough;
a slow password hash would add latency to every ingest call without adding safety.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.models import ApiKey
from api.settings import sha256_hex

Scope = Literal["ingest", "read", "content"]
SCOPES: tuple[str, ...] = get_args(Scope)
KEY_PREFIX = "wgw_"


@dataclass(frozen=True)
class KeyGrant:
    """What a valid key grants: a stable reference (for sessions) and a scope."""

    ref: str
    scope: str


def new_plaintext_key() -> str:
    """Return a fresh random key; it is shown once and never stored."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(session: Session, *, name: str, scope: str) -> tuple[ApiKey, str]:
    """Create a key and return the stored row and the plaintext (show it once).

    Args:
        session: Session with an open transaction.
        name: Who uses the key, e.g. ``dashboard`` or ``relay``.
        scope: ``ingest``, ``read`` or ``content`` (the staff page's edits of local facts).

    Returns:
        The new row and the plaintext key.

    Raises:
        ValueError: For an unknown scope or an empty or over-long name.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; use one of: {', '.join(SCOPES)}")
    if not name or len(name) > 64:
        raise ValueError("name must be 1 to 64 characters")
    plaintext = new_plaintext_key()
    row = ApiKey(
        name=name,
        scope=scope,
        key_sha256=sha256_hex(plaintext),
        created_at=dt.datetime.now(dt.UTC),
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    return row, plaintext


def list_keys(session: Session) -> list[ApiKey]:
    """Return all keys, newest first, revoked ones included."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Revoke a key by id; returns the row, or None when no such key exists."""
    row = session.get(ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
    return row


class KeyRing:
    """Checks presented keys against the environment keys and the active keys in the database.

    Every stored hash is compared with ``secrets.compare_digest``, with no early exit. Database
    keys are cached for ``ttl`` seconds, so a revocation takes effect within that time.
    """

    def __init__(
        self,
        env_hashes: dict[str, list[str]],
        sessions: sessionmaker[Session],
        ttl: float = 2.0,
    ) -> None:
        """Keep the environment hashes and the session factory for the database keys."""
        self._env = [
            (f"env:{scope}:{index}", scope, digest)
            for scope, digests in env_hashes.items()
            for index, digest in enumerate(digests)
        ]
        self._sessions = sessions
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cached: list[tuple[str, str, str]] = []
        self._loaded_at = -1e9

    def _database_keys(self) -> list[tuple[str, str, str]]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self._ttl:
                with self._sessions() as session:
                    rows = session.execute(
                        select(ApiKey.id, ApiKey.scope, ApiKey.key_sha256).where(ApiKey.revoked_at.is_(None))
                    ).all()
                self._cached = [(f"db:{key_id}", scope, digest) for key_id, scope, digest in rows]
                self._loaded_at = time.monotonic()
            return self._cached

    def invalidate(self) -> None:
        """Forget cached database keys (after creating or revoking one in this process)."""
        with self._lock:
            self._loaded_at = -1e9

    def grants(self, presented: str) -> list[KeyGrant]:
        """Return every grant the presented key carries (empty: unknown or revoked).

        Args:
            presented: The plaintext key from the ``X-API-Key`` header.

        Returns:
            The matching grants.
        """
        digest = sha256_hex(presented)
        found: list[KeyGrant] = []
        for ref, scope, stored in [*self._env, *self._database_keys()]:
            if secrets.compare_digest(digest, stored):
                found.append(KeyGrant(ref, scope))
        return found

    def is_active(self, ref: str, scope: str) -> bool:
        """Whether the key behind a session reference is still valid for ``scope``."""
        return any(r == ref and s == scope for r, s, _ in [*self._env, *self._database_keys()])
