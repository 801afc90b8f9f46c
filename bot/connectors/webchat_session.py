"""Web-chat session ids that the server issues and signs, and the binding of each socket to one session.

A session id (the *token*) has three parts, separated by dots::

    <sender>.<issued>.<signature>
    9f86d081884c7d659a2feaa0c55ad015.1764662400.Qm9i...   (32 + 1 + 10 + 1 + 43 characters)

- ``sender``: ``secrets.token_hex(16)``, 128 random bits. It is Rasa's sender id (the tracker key) and the
  socket.io room the bot's answers go to. It is not a credential: knowing it lets nobody join.
- ``issued``: Unix seconds when the server issued the token.
- ``signature``: HMAC-SHA256 over ``wegwijzer-webchat-session:v1:<sender>:<issued>`` with
  ``WEBCHAT_SESSION_KEY``, base64url without padding.

A returning token (a page reload) is accepted only when its signature verifies and it is at most
``MAX_AGE_SECONDS`` old (12 hours). That is far longer than a Rasa session (``session_expiration_time: 60``
minutes in domain.yml, after which Rasa starts a new session in the same tracker anyway), so a reload never
loses a conversation, and short enough that a token copied from a browser is useless the next day. Expiry
counts from the issue time, not from the last message: a token carries no state the server must update. A
token that does not verify, is too old, too long or not a string is never an error: the client just gets a
fresh session.

``WEBCHAT_SESSION_KEY`` (at least 32 characters) is required outside ``APP_ENV=development``; a missing or
placeholder key stops Rasa at start-up (``session_key``). In development without a key each Rasa process
makes a random key and logs a warning: a reload after a Rasa restart then starts a new conversation, which
the in-memory tracker store of ``make run`` forgets at a restart anyway. Every Rasa instance behind one
proxy needs the same key.

``SessionBindings`` keeps, per Rasa process, which socket (``sid``) belongs to which session and which socket
is a session's live one. One session has one live socket: the newest ``session_request`` wins and the older
socket is unbound and disconnected (a reload opens the new socket before the server has noticed that the old
one is gone, so refusing the newcomer would break reloads).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shared.secret_policy import GENERATE_HINT, check_environ, summary

log = logging.getLogger(__name__)

KEY_VARIABLE = "WEBCHAT_SESSION_KEY"
# Longer than the adapters' 16: the signature of every token is public to its holder, so a short key could be
# searched offline.
MIN_SESSION_KEY_LENGTH = 32
MAX_AGE_SECONDS = 12 * 3600
CLOCK_SKEW_SECONDS = 60
MAX_TOKEN_CHARS = 128
SENDER_BYTES = 16
TOKEN = re.compile(r"(?P<sender>[0-9a-f]{32})\.(?P<issued>[0-9]{1,12})\.(?P<signature>[A-Za-z0-9_-]{43})")
_CONTEXT = b"wegwijzer-webchat-session:v1:"


class SessionKeyError(RuntimeError):
    """Rasa cannot start the web-chat channel safely: the session key is missing or unsafe."""


def session_key(environ: Mapping[str, str]) -> tuple[bytes, bool]:
    """Return the signing key and whether it is a throw-away development key.

    Judged by the one secret policy (``shared.secret_policy``) with a minimum of 32 characters. Unlike the
    other secrets, a placeholder or short key is not used even in development: it would sign ids that every
    holder can try offline, so development gets a random per-process key instead (logged by the caller).

    Args:
        environ: The process environment (``WEBCHAT_SESSION_KEY``, ``APP_ENV``).

    Returns:
        The configured key, or with ``APP_ENV=development`` and no usable key a random per-process key.

    Raises:
        SessionKeyError: Outside development, when the key is missing, a placeholder or too short.
    """
    check = check_environ(KEY_VARIABLE, environ, min_length=MIN_SESSION_KEY_LENGTH)
    log.info("webchat: %s", summary([check]))
    raw = environ.get(KEY_VARIABLE)
    if check.problem is None and raw is not None:
        return raw.encode(), False
    if check.development:
        return secrets.token_bytes(32), True
    raise SessionKeyError(
        f"{check.describe()}: the web-chat channel signs session ids with it. Set it to a random value of "
        f"at least {MIN_SESSION_KEY_LENGTH} characters ({GENERATE_HINT}), the same for every Rasa instance, "
        "or set APP_ENV=development to use a throw-away key."
    )


@dataclass(frozen=True)
class Session:
    """One web-chat session: Rasa's sender id and the signed token the client keeps."""

    sender_id: str
    token: str


class SessionSigner:
    """Issues signed session tokens and verifies returning ones."""

    def __init__(
        self, key: bytes, max_age: float = MAX_AGE_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = key
        self.max_age = max_age
        self.clock = clock

    def _signature(self, sender: str, issued: str) -> str:
        digest = hmac.new(self._key, _CONTEXT + f"{sender}:{issued}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self) -> Session:
        """A new session with a random sender id, signed now."""
        sender = secrets.token_hex(SENDER_BYTES)
        issued = str(int(self.clock()))
        return Session(sender, f"{sender}.{issued}.{self._signature(sender, issued)}")

    def verify(self, token: object) -> Session | None:
        """The session of a returning token, or None when it is not one this server issued and still valid."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        match = TOKEN.fullmatch(token)
        if match is None:
            return None
        sender, issued = match["sender"], match["issued"]
        if not hmac.compare_digest(match["signature"], self._signature(sender, issued)):
            return None
        age = self.clock() - int(issued)
        if age < -CLOCK_SKEW_SECONDS or age > self.max_age:
            return None
        return Session(sender, token)


class SessionBindings:
    """Which socket belongs to which session, kept server-side; one live socket per session."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Session] = {}
        self._live_sid: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._by_sid)

    def session_of(self, sid: str) -> Session | None:
        """The session this socket is bound to, if any."""
        return self._by_sid.get(sid)

    def live_sid(self, sender_id: str) -> str | None:
        """The socket that currently holds this session, if any."""
        return self._live_sid.get(sender_id)

    def bind(self, sid: str, session: Session) -> tuple[str | None, str | None]:
        """Bind ``sid`` to ``session``; the newest socket of a session wins.

        Returns:
            ``(replaced_sid, left_sender)``: the older socket that held this session and is now unbound (the
            caller removes it from the room and disconnects it), and the sender id of the session ``sid`` was
            bound to before, if that was another one (the caller removes ``sid`` from that room).
        """
        previous = self._by_sid.get(sid)
        left_sender = None
        if previous is not None and previous.sender_id != session.sender_id:
            left_sender = previous.sender_id
            if self._live_sid.get(previous.sender_id) == sid:
                del self._live_sid[previous.sender_id]
        replaced = self._live_sid.get(session.sender_id)
        if replaced == sid:
            replaced = None
        if replaced is not None:
            self._by_sid.pop(replaced, None)
        self._by_sid[sid] = session
        self._live_sid[session.sender_id] = sid
        return replaced, left_sender

    def unbind(self, sid: str) -> Session | None:
        """Forget a socket (it disconnected); returns the session it was bound to."""
        session = self._by_sid.pop(sid, None)
        if session is not None and self._live_sid.get(session.sender_id) == sid:
            del self._live_sid[session.sender_id]
        return session
