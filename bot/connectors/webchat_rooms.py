"""Bound sessions on the socket: each socket speaks for exactly one server-issued session.

The stock channel used any client-chosen ``session_id`` as Rasa's sender and as the socket.io room, so two
clients with the same id shared one conversation. Here the server issues and signs every id
(``webchat_session.py``), binds each socket to its session, and answers only into that session's room:

- ``session_request`` accepts a returning token only when it verifies, else issues a fresh session;
- a message before any ``session_request`` gets a fresh session bound (and confirmed) first;
- a message's own ``session_id`` is ignored when it differs from the socket's session (logged, no text);
- one session has one live socket: a newer socket of the same session takes over and the older one is
  disconnected (a reload opens the new socket before the server notices the old one is gone).

The room is the session's random part, never the signed token. Rasa 3.6 called ``enter_room`` without
``await`` (a coroutine in python-socketio 5.x), so the socket never joined its room; this awaits it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from bot.connectors.webchat_session import Session, SessionBindings, SessionSigner

log = logging.getLogger(__name__)


class SocketSessions:
    """The sessions of one socket.io server's sockets, their rooms and the ``session_confirm`` event."""

    def __init__(
        self, sio: Any, namespace: str | None, signer: SessionSigner, bindings: SessionBindings
    ) -> None:
        self.sio = sio
        self.namespace = namespace
        self.signer = signer
        self.bindings = bindings

    async def _room(self, action: Callable[..., Any], sid: str, name: str) -> None:
        done = action(sid, name, namespace=self.namespace)
        if inspect.isawaitable(done):
            await done

    async def bind(self, sid: str, session: Session) -> None:
        """Bind ``sid`` to ``session``, move it into the session's room, confirm the token to the client."""
        replaced, left = self.bindings.bind(sid, session)
        if left is not None:
            await self._room(self.sio.leave_room, sid, left)
        if replaced is not None:
            await self._room(self.sio.leave_room, replaced, session.sender_id)
            log.info("a newer socket took over a webchat session; disconnected the older socket")
            await self.sio.disconnect(replaced, namespace=self.namespace)
        await self._room(self.sio.enter_room, sid, session.sender_id)
        await self.sio.emit("session_confirm", session.token, room=sid, namespace=self.namespace)

    async def request(self, sid: str, data: Any) -> None:
        """Answer a ``session_request``: the returning session when its token verifies, else a new one."""
        requested = data.get("session_id") if isinstance(data, dict) else None
        session = self.signer.verify(requested)
        if session is None:
            if requested is not None:
                log.info("a returning webchat session id did not verify; issued a new session")
            session = self.signer.issue()
        await self.bind(sid, session)

    async def for_message(self, sid: str, claimed: Any) -> Session:
        """The session a message from ``sid`` belongs to, whatever ``session_id`` (``claimed``) it carried."""
        session = self.bindings.session_of(sid)
        if session is None:
            log.info("a webchat message arrived before session_request; bound a new session first")
            session = self.signer.issue()
            await self.bind(sid, session)
        if claimed and claimed not in (session.token, session.sender_id):
            log.info("ignored a session_id in a webchat message that differs from its socket's session")
        return session

    def forget(self, sid: str) -> None:
        """The socket disconnected."""
        self.bindings.unbind(sid)
