"""WebchatInput: Rasa's socket.io channel with the additions the stock channel lacks.

1. An Origin allow-list (``WEBCHAT_ALLOWED_ORIGINS``): the stock channel disables CORS handling, so any web page
   could otherwise open a socket to the bot.
2. Personal data in residents' messages is masked before Rasa stores or logs it.
3. Payload protection: a message that Rasa would read as ``/intent{...}`` passes only when it equals a
   button payload this conversation was offered recently (recorded by wrapping the output channel);
   otherwise the slash is removed so NLU reads the words (``bot/payload_guard.py``).
4. Text is cleaned first (``bot/input_text.py``: lone surrogates, control characters).
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
8. Limits inside Rasa's process (``bot/connectors/limits.py``): message rates per socket and per client
   address, a frame cap, a text-length cap, a metadata allow-list with a size cap. A refused message gets a
   short Dutch text from the socket and never reaches Rasa. Masking runs in worker processes
   (``bot/connectors/masking_pool.py``), so a long text cannot stall the other conversations.
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
from bot.connectors.limits import (
    TOO_FAST,
    TOO_LONG,
    Limiter,
    WebchatLimits,
    allowed_metadata,
    client_address,
    metadata_too_big,
    text_too_long,
)
from bot.connectors.masking_pool import MaskingBusy, MaskingPool
from bot.connectors.webchat_session import Session, SessionBindings, SessionSigner, session_key
from bot.input_text import clean_text
from bot.messages import load_fixed_texts
from bot.payload_guard import OfferedPayloads, guard

log = logging.getLogger(__name__)
DEFAULT_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"


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


def refusal(data: Any, metadata_key: str, limits: WebchatLimits) -> str | None:
    """The ``knowledge/messages.yml`` key to answer with when the event is over a size limit, else None."""
    if not isinstance(data, dict):
        return None
    if text_too_long(data.get("message"), limits) or metadata_too_big(data.get(metadata_key), limits):
        return TOO_LONG
    return None


def sanitise_event(data: Any, metadata_key: str, limits: WebchatLimits) -> dict[str, Any] | None:
    """Repair a ``user_uttered`` event so the stock handler cannot raise; None when it is unusable.

    Only allow-listed metadata keys are kept (``limits.allowed_metadata``).
    """
    if not isinstance(data, dict):
        return None
    clean = dict(data)
    message = clean.get("message", "")
    clean["message"] = clean_text(message if isinstance(message, str) else "", limits.max_text_chars)
    session_id = clean.get("session_id")
    if session_id is not None and not isinstance(session_id, str):
        clean["session_id"] = None
    metadata = clean.get(metadata_key, {})
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = {}
    clean[metadata_key] = allowed_metadata(metadata, limits) if isinstance(metadata, dict) else {}
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
        texts = load_fixed_texts()
        apology = texts.get("rasa_unavailable")
        limits = WebchatLimits.from_environ(os.environ)
        limiter = Limiter(limits)
        masking = MaskingPool(limits.mask_workers, limits.mask_queue)

        async def masked(message: UserMessage) -> Any:
            sender = str(message.sender_id)
            guarded = guard(offered, sender, message.text or "")
            if guarded.outcome == "payload":
                message.text = guarded.text
            else:
                if guarded.outcome == "neutralised":
                    log.info("removed payload syntax from a webchat message that offered no such button")
                try:
                    result = await masking.mask(guarded.text)
                except MaskingBusy:
                    log.warning("refused a webchat message: no masking worker was free")
                    if message.output_channel is not None:
                        await message.output_channel.send_text_message(sender, texts.get(TOO_FAST))
                    return None
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
        # engine.io refuses (and closes the connection on) a longer websocket frame or polling body.
        sio.eio.max_http_buffer_size = limits.max_frame_bytes
        metadata_key = self.metadata_key or "metadata"
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

        async def tell(sid: str, key: str) -> None:
            # Over the rate: one text per interval, not one per frame. Over a size limit: the message was
            # already counted by the rates, so it always gets its text.
            if key != TOO_FAST or limiter.should_tell(sid, key):
                await sio.emit(self.bot_message_evt, {"text": texts.get(key)}, room=sid, namespace=namespace)

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            if not origin_allowed(environ, allowed):
                log.warning("refused a socket from an origin that is not allowed")
                return False
            request = environ.get("sanic.request")
            peer = str(getattr(request, "ip", "") or environ.get("REMOTE_ADDR", ""))
            address = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), limits.trusted_proxies)
            if not limiter.connect(sid, address):
                log.info("refused a socket: its address is over the message rate")
                return False
            if stock_connect is None:
                return True
            return bool(await stock_connect(sid, environ, auth))

        async def disconnect(sid: str, reason: Any = None) -> None:
            bindings.unbind(sid)
            limiter.disconnected(sid)

        def gone(sid: str) -> bool:
            # Frames that were queued before the socket was disconnected still arrive as events.
            return not sio.manager.is_connected(sid, namespace or "/")

        async def handle_message(sid: str, data: Any) -> None:
            # The limits come before any other work, so a refused message costs next to nothing.
            if gone(sid):
                return
            if not limiter.admit(sid):
                if limiter.should_disconnect(sid):
                    log.info("disconnected a webchat socket that kept sending over the message rate")
                    await sio.disconnect(sid, namespace=namespace)
                    return
                log.info("refused a webchat message: over the message rate")
                await tell(sid, TOO_FAST)
                return
            refused = refusal(data, metadata_key, limits)
            if refused is not None:
                log.info("refused a webchat message: text or metadata over the size limit")
                await tell(sid, refused)
                return
            clean = sanitise_event(data, metadata_key, limits)
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
            if gone(sid):
                return
            if not limiter.admit(sid, with_address=False):
                log.info("ignored a webchat session_request: over the message rate")
                if limiter.should_disconnect(sid):
                    await sio.disconnect(sid, namespace=namespace)
                return
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

        async def start_masking(*_: Any) -> None:
            await masking.start()

        async def stop_masking(*_: Any) -> None:
            await masking.stop()

        blueprint.listener("before_server_start")(start_masking)
        blueprint.listener("after_server_stop")(stop_masking)
        return blueprint
