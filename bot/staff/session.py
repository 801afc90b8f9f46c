"""Signed session cookies and CSRF tokens for the staff page (stdlib HMAC, no server state).

A cookie is ``<base64url payload>.<base64url HMAC-SHA256>``; the payload holds a random session id, an expiry
time and the role the login key gave (``triage`` or ``editor``), nothing about the staff member. The CSRF token
is an HMAC of the session id, so a form can only be posted by a page that was rendered for that session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE_NAME = "ww_staff"
TRIAGE = "triage"  # the staff page key: triage and message check
EDITOR = "editor"  # the editor key: also the local facts (/inhoud)
ROLES = (TRIAGE, EDITOR)


@dataclass(frozen=True)
class StaffSession:
    """A logged-in staff session."""

    session_id: str
    expires_at: int
    role: str = TRIAGE

    @property
    def is_editor(self) -> bool:
        """True when the session may change local facts."""
        return self.role == EDITOR


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, message: bytes) -> str:
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def new_session(lifetime_s: int, now: float | None = None, role: str = TRIAGE) -> StaffSession:
    """Start a session that ends ``lifetime_s`` seconds from now."""
    current = time.time() if now is None else now
    return StaffSession(session_id=secrets.token_urlsafe(18), expires_at=int(current) + lifetime_s, role=role)


def encode_cookie(key: bytes, session: StaffSession) -> str:
    """Serialise and sign a session for the cookie value.

    Args:
        key: the signing key.
        session: the session to store.

    Returns:
        The cookie value.
    """
    body = {"sid": session.session_id, "exp": session.expires_at, "role": session.role}
    payload = _b64(json.dumps(body).encode())
    return f"{payload}.{_sign(key, payload.encode())}"


def decode_cookie(key: bytes, value: str | None, now: float | None = None) -> StaffSession | None:
    """Check a cookie's signature and expiry.

    Args:
        key: the signing key.
        value: the cookie value, or None when there is no cookie.
        now: the current time (tests); defaults to ``time.time()``.

    Returns:
        The session, or None when the cookie is missing, forged, malformed or expired.
    """
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _sign(key, payload.encode())):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = StaffSession(
            session_id=str(data["sid"]), expires_at=int(data["exp"]), role=str(data.get("role", TRIAGE))
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if session.role not in ROLES:
        return None
    current = time.time() if now is None else now
    return session if session.expires_at > current else None


def csrf_token(key: bytes, session: StaffSession) -> str:
    """The CSRF token that belongs to a session."""
    return _sign(key, b"csrf:" + session.session_id.encode())


def csrf_valid(key: bytes, session: StaffSession, token: str | None) -> bool:
    """True when ``token`` is the session's CSRF token (constant-time compare)."""
    return bool(token) and hmac.compare_digest(str(token), csrf_token(key, session))
