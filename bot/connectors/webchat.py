"""WebchatInput: Rasa's socket.io channel with two additions the stock channel lacks.

1. An Origin allow-list (``WEBCHAT_ALLOWED_ORIGINS``): the stock channel disables CORS handling, so any web page
   could otherwise open a socket to the bot.
2. Personal data in residents' messages is masked before Rasa stores or logs it.
Its name is ``webchat`` so actions and statistics see where a message came from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from knowledge.pii import mask_pii

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


class WebchatInput(SocketIOInput):
    """socket.io channel for the website widget, with an Origin check and PII masking."""

    @classmethod
    def name(cls) -> str:
        """Channel name recorded on every message."""
        return "webchat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint, with masking around the message callback and an Origin check on connect."""

        async def masked(message: UserMessage) -> Any:
            result = mask_pii(message.text or "")
            if result.found:
                log.info("masked personal data in a webchat message: %s", ",".join(result.found))
            message.text = result.text
            return await on_new_message(message)

        blueprint = super().blueprint(masked)
        allowed = allowed_origins()
        sio = self.sio
        stock_connect = sio.handlers.get(self.namespace or "/", {}).get("connect")

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            if not origin_allowed(environ, allowed):
                log.warning("refused a socket from an origin that is not allowed")
                return False
            if stock_connect is None:
                return True
            return bool(await stock_connect(sid, environ, auth))

        sio.on("connect", connect, namespace=self.namespace)
        return blueprint
