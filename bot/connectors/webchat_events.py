"""Judging and repairing a ``user_uttered`` event before Rasa's stock socket handler sees it.

The stock handler raises on data that is not an object, a message that is not text or metadata that is no
JSON object; a raise inside a socket handler loses the turn silently. Size limits are judged first, so a
refused message costs next to nothing and never reaches Rasa.
"""

from __future__ import annotations

import json
from typing import Any

from bot.connectors.limits import TOO_LONG, WebchatLimits, allowed_metadata, metadata_too_big, text_too_long
from shared.input_text import clean_text


def refusal(data: Any, metadata_key: str, limits: WebchatLimits) -> str | None:
    """The ``knowledge/messages.yml`` key to answer with when the event is over a size limit, else None."""
    if not isinstance(data, dict):
        return None
    if text_too_long(data.get("message"), limits) or metadata_too_big(data.get(metadata_key), limits):
        return TOO_LONG
    return None


def sanitise_event(data: Any, metadata_key: str, limits: WebchatLimits) -> dict[str, Any] | None:
    """Repair a ``user_uttered`` event so the stock handler cannot raise; None when it is unusable.

    The text is cleaned (``shared/input_text.py``: lone surrogates, control characters), a session id that is
    not a string is dropped, and only allow-listed metadata keys are kept (``limits.allowed_metadata``).
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
