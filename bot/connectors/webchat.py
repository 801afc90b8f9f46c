"""WebchatInput: Rasa's socket.io channel with the additions the stock channel lacks.

1. An Origin allow-list (``WEBCHAT_ALLOWED_ORIGINS``): the stock channel disables CORS handling, so any web page
   could otherwise open a socket to the bot.
2. Personal data in residents' messages is masked before Rasa stores or logs it.
3. Payload protection: a message that Rasa would read as ``/intent{...}`` passes only when it equals a
   button payload this conversation was offered recently (recorded by wrapping the output channel);
   otherwise the slash is removed so NLU reads the words (``bot/payload_guard.py``).
4. Text is cleaned first (``bot/input_text.py``: lone surrogates, control characters, 4096 characters).
5. A turn that produced no bot message at all (the action server is down: Rasa drops the action's
   messages, see stack-facts a.9) gets ``knowledge/messages.yml: rasa_unavailable`` at once, so the
   resident never waits in silence.
6. Malformed ``user_uttered`` data (not an object, a non-text message, metadata that is no JSON
   object) is repaired or dropped instead of raising inside the socket handler.
7. Bound sessions (``bot/connectors/webchat_session.py``). The server issues every session id: 128 random
   bits, signed with ``WEBCHAT_SESSION_KEY``. ``session_request`` accepts a returning id (a page reload) only
   when its signature verifies and it is at most 12 hours old; anything else gets a fresh id. Each socket is
   bound to its session server-side, and ``user_uttered`` always uses the bound session: a different
   ``session_id`` in a message is ignored (logged at INFO, without the text). A message before any
   ``session_request`` gets a fresh session bound (and confirmed) first. One session has one live socket:
   a newer ``session_request`` with the same id takes over and the older socket is disconnected. Rasa's
   sender id and the socket.io room are the id's random part, never the signed whole. The stock channel
   instead used any client-chosen ``session_id`` as sender and room, so two clients with the same id shared
   a conversation. (Rasa 3.6 also called ``enter_room`` without ``await``, a coroutine in python-socketio
   5.x, so the socket never joined its room; this connector awaits it.)
Its name is ``webchat`` so actions and statistics see where a message came from.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.connectors import follow_rasa_log_level, speedups
from bot.connectors.webchat_session import Session, SessionBindings, SessionSigner, session_key
from bot.input_text import clean_text
from bot.messages import load_fixed_texts
from bot.payload_guard import OfferedPayloads, guard
from knowledge.pii import mask_pii

log = logging.getLogger(__name__)
DEFAULT_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"
# Longer messages are cut: the widget sends at most 1000 characters, the chat platforms 4096.
MAX_MESSAGE_CHARS = 4096


def allowed_origins() -> set[str]:
    """Origins allowed to open a socket, from WEBCHAT_ALLOWED_ORIGINS (comma separated)."""
    raw = os.environ.get("WEBCHAT_ALLOWED_ORIGINS", DEFAULT_ORIGINS)
    return {origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()}


def origin_allowed(environ: dict[str, Any], allowed: set[str]) -> bool:
    """True when the handshake's Origin header is on the allow-list ('*' allows every origin)."""
    if "*" in allowed:
        return True
    origin = str(environ.get("HTTP_ORIGIN", "")).rstrip("/")
    return origin in allowed


def button_payloads(message: dict[str, Any]) -> list[str]:
    """Payloads of the buttons and quick replies in one outgoing bot message."""
    payloads: list[str] = []
    for key in ("buttons", "quick_replies"):
        for button in message.get(key) or []:
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                payloads.append(button["payload"])
    return payloads


class RecordingOutput(OutputChannel):
    """Wraps the socket output channel and remembers which button payloads each conversation got."""

    def __init__(self, inner: OutputChannel, offered: OfferedPayloads) -> None:
        self.inner = inner
        self.offered = offered
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        """The wrapped channel's name."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Record the payloads, then send as the wrapped channel would."""
        self.offered.record(recipient_id, button_payloads(message))
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text needs no recording."""
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)


def sanitise_event(data: Any, metadata_key: str) -> dict[str, Any] | None:
    """Repair a ``user_uttered`` event so the stock handler cannot raise; None when it is unusable."""
    if not isinstance(data, dict):
        return None
    clean = dict(data)
    message = clean.get("message", "")
    clean["message"] = clean_text(message if isinstance(message, str) else "", MAX_MESSAGE_CHARS)
    session_id = clean.get("session_id")
    if session_id is not None and not isinstance(session_id, str):
        clean["session_id"] = None
    metadata = clean.get(metadata_key, {})
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = {}
    clean[metadata_key] = metadata if isinstance(metadata, dict) else {}
    return clean


class WebchatInput(SocketIOInput):
    """socket.io channel for the website widget: Origin check, bound sessions and PII masking."""

    @classmethod
    def name(cls) -> str:
        """Channel name recorded on every message."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        """Rasa's socket.io settings; installs the Rasa speed-ups (``bot/connectors/speedups.py``) first."""
        speedups.install()
        return super().from_credentials(credentials)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint, with masking around the message callback, an Origin check on connect and
        server-issued sessions bound to each socket (item 7 of the module docstring)."""

        offered = OfferedPayloads()
        apology = load_fixed_texts().get("rasa_unavailable")

        async def masked(message: UserMessage) -> Any:
            sender = str(message.sender_id)
            guarded = guard(offered, sender, message.text or "")
            if guarded.outcome == "payload":
                message.text = guarded.text
            else:
                if guarded.outcome == "neutralised":
                    log.info("removed payload syntax from a webchat message that offered no such button")
                result = mask_pii(guarded.text)
                if result.found:
                    log.info("masked personal data in a webchat message: %s", ",".join(result.found))
                message.text = result.text
            if message.output_channel is None:
                return await on_new_message(message)
            output = RecordingOutput(message.output_channel, offered)
            message.output_channel = output
            result = await on_new_message(message)
            if output.sent == 0:
                log.warning("a webchat turn produced no bot message; sent the rasa_unavailable text")
                await output.inner.send_text_message(sender, apology)
            return result

        follow_rasa_log_level()
        key, throwaway = session_key(os.environ)
        if throwaway:
            log.warning(
                "WEBCHAT_SESSION_KEY is not set: using a random key for this process (APP_ENV=development); "
                "web-chat sessions do not survive a restart of Rasa"
            )
        signer = SessionSigner(key)
        bindings = SessionBindings()
        blueprint = super().blueprint(masked)
        allowed = allowed_origins()
        sio = self.sio
        namespace = self.namespace
        handlers = sio.handlers.get(namespace or "/", {})
        stock_connect = handlers.get("connect")
        stock_message = handlers.get(self.user_message_evt)

        async def room(action: Callable[..., Any], sid: str, name: str) -> None:
            done = action(sid, name, namespace=namespace)
            if inspect.isawaitable(done):
                await done

        async def bind(sid: str, session: Session) -> None:
            replaced, left = bindings.bind(sid, session)
            if left is not None:
                await room(sio.leave_room, sid, left)
            if replaced is not None:
                await room(sio.leave_room, replaced, session.sender_id)
                log.info("a newer socket took over a webchat session; disconnected the older socket")
                await sio.disconnect(replaced, namespace=namespace)
            await room(sio.enter_room, sid, session.sender_id)
            await sio.emit("session_confirm", session.token, room=sid, namespace=namespace)

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            if not origin_allowed(environ, allowed):
                log.warning("refused a socket from an origin that is not allowed")
                return False
            if stock_connect is None:
                return True
            return bool(await stock_connect(sid, environ, auth))

        async def disconnect(sid: str, reason: Any = None) -> None:
            bindings.unbind(sid)

        async def handle_message(sid: str, data: Any) -> None:
            clean = sanitise_event(data, self.metadata_key or "metadata")
            if clean is None or stock_message is None:
                log.warning("dropped a webchat event that is not a JSON object")
                return
            session = bindings.session_of(sid)
            if session is None:
                log.info("a webchat message arrived before session_request; bound a new session first")
                session = signer.issue()
                await bind(sid, session)
            claimed = clean.get("session_id")
            if claimed and claimed not in (session.token, session.sender_id):
                log.info("ignored a session_id in a webchat message that differs from its socket's session")
            clean["session_id"] = session.sender_id
            await stock_message(sid, clean)

        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session = signer.verify(requested)
            if session is None:
                if requested is not None:
                    log.info("a returning webchat session id did not verify; issued a new session")
                session = signer.issue()
            await bind(sid, session)

        sio.on("connect", connect, namespace=namespace)
        sio.on("disconnect", disconnect, namespace=namespace)
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return blueprint
