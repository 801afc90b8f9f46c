"""The web chat's Origin allow-list: which web pages may open a socket to the bot.

Rasa's stock socket.io channel switches CORS handling off, so without this check any page on the internet
could open a socket and chat in a resident's name. The list comes from ``WEBCHAT_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"


def allowed_origins(environ: Mapping[str, str]) -> set[str]:
    """Origins allowed to open a socket, from ``WEBCHAT_ALLOWED_ORIGINS`` (comma separated, no trailing /)."""
    raw = environ.get("WEBCHAT_ALLOWED_ORIGINS", DEFAULT_ORIGINS)
    return {origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()}


def origin_allowed(environ: dict[str, Any], allowed: set[str]) -> bool:
    """True when the handshake's Origin header is on the allow-list ('*' allows every origin)."""
    if "*" in allowed:
        return True
    origin = str(environ.get("HTTP_ORIGIN", "")).rstrip("/")
    return origin in allowed
