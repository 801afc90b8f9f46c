"""WebchatInput: Rasa's socket.io channel for the website widget, composed of small parts, one need each.

- Origin allow-list (``webchat_origin.py``): the stock channel switches CORS off, so any page could
  open a socket.
- Limits (``limits.py``): message rates per socket and per client address; frame, text and metadata caps.
- Event repair (``webchat_events.py``): malformed ``user_uttered`` data would raise in the socket handler.
- Guard and masking (``webchat_inbound.py``): a typed ``/intent{...}`` could steer the dialogue, and
  personal data must not reach the tracker.
- Answer or apology (``webchat_output.py``): records the buttons offered; a turn with no bot message gets
  ``rasa_unavailable`` at once.
- Bound sessions (``webchat_rooms.py``, ``webchat_session.py``): client-chosen session ids let two
  clients share a conversation.

This module only wires the parts into the socket's events: ``connect`` (origin, then the address's rate),
``session_request`` (rate, then session), ``user_uttered`` (rates, size, repair, session, then Rasa) and
``disconnect``. A refused message gets a short Dutch text from ``knowledge/messages.yml`` straight from the
socket and never reaches Rasa. The channel's name is ``webchat`` so actions and statistics see where a message
came from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.connectors import follow_rasa_log_level, speedups
from bot.connectors.limits import TOO_FAST, Limiter, WebchatLimits, client_address
from bot.connectors.masking_pool import MaskingPool
from bot.connectors.webchat_events import refusal, sanitise_event
from bot.connectors.webchat_inbound import InboundText
from bot.connectors.webchat_origin import allowed_origins, origin_allowed
from bot.connectors.webchat_output import answer_or_apologise
from bot.connectors.webchat_rooms import SocketSessions
from bot.connectors.webchat_session import SessionBindings, SessionSigner, session_key
from shared.messages import load_fixed_texts
from shared.payload_guard import OfferedPayloads

log = logging.getLogger(__name__)


def _signer() -> SessionSigner:
    key, throwaway = session_key(os.environ)
    if throwaway:
        log.warning(
            "WEBCHAT_SESSION_KEY is not set: using a random key for this process (APP_ENV=development); "
            "web-chat sessions do not survive a restart of Rasa"
        )
    return SessionSigner(key)


class WebchatInput(SocketIOInput):
    """socket.io channel for the website widget: Origin check, limits, bound sessions and PII masking."""

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
        """The stock blueprint with the parts of the module docstring around its socket events."""
        offered = OfferedPayloads()
        texts = load_fixed_texts()
        apology = texts.get("rasa_unavailable")
        limits = WebchatLimits.from_environ(os.environ)
        limiter = Limiter(limits)
        masking = MaskingPool(limits.mask_workers, limits.mask_queue)
        inbound = InboundText(offered, masking)

        async def to_rasa(message: UserMessage) -> Any:
            sender = str(message.sender_id)
            prepared = await inbound.prepare(sender, message.text or "")
            if prepared.busy:
                if message.output_channel is not None:
                    await message.output_channel.send_text_message(sender, texts.get(TOO_FAST))
                return None
            message.text = prepared.text
            return await answer_or_apologise(message, on_new_message, offered, apology)

        follow_rasa_log_level()
        signer = _signer()
        blueprint = super().blueprint(to_rasa)
        allowed = allowed_origins(os.environ)
        sio = self.sio
        # engine.io refuses (and closes the connection on) a longer websocket frame or polling body.
        sio.eio.max_http_buffer_size = limits.max_frame_bytes
        metadata_key = self.metadata_key or "metadata"
        namespace = self.namespace
        sessions = SocketSessions(sio, namespace, signer, SessionBindings())
        handlers = sio.handlers.get(namespace or "/", {})
        stock_connect = handlers.get("connect")
        stock_message = handlers.get(self.user_message_evt)

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
            sessions.forget(sid)
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
            session = await sessions.for_message(sid, clean.get("session_id"))
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
            await sessions.request(sid, data)

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
