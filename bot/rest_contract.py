"""What Rasa's REST channel accepts: sender ids, channel names, metadata (bot/connectors/rest.py enforces it).

Standard library only, so both runtimes import the same rules: the channel inside Rasa (Python 3.10) refuses
what breaks them, and the adapters (Python 3.11) take their channel names from here.

- Sender id: 1 to 128 ASCII letters, digits, ``-`` and ``_``, and not digits only. The id is the tracker's key
  and appears in log lines, so it must not carry personal data: an e-mail address or a phone number with ``+``
  or spaces has characters outside the set, and a bare phone number, BSN or raw Telegram chat id is digits
  only. The adapters send 32 hexadecimal characters (``bot/pseudonym.py``), the web chat has its own channel,
  and tests and benchmarks use short ASCII names such as ``e2e-3``.
- Channel name (``input_channel``): absent (then ``rest``) or one of ``REST_CHANNELS``. Statistics count by
  channel (``knowledge/reach.py``), so a caller cannot pose as the web chat or the staff page.
- Metadata: absent, or an object holding only ``forwarded`` (true or false), the one key the adapters send
  (``bot/rasa_client.py``); Rasa stores metadata in the tracker, so nothing else may ride along.
"""

from __future__ import annotations

import re
from typing import Any, Final

REST: Final = "rest"
TELEGRAM: Final = "telegram"
WHATSAPP: Final = "whatsapp"
REST_CHANNELS: Final[tuple[str, ...]] = (REST, TELEGRAM, WHATSAPP)

MAX_SENDER_CHARS: Final = 128
SENDER_ID: Final[re.Pattern[str]] = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_SENDER_CHARS}}}", re.ASCII)
# A 4096-character message written as JSON \u escapes is about 25 KB; anything far larger is no message.
MAX_BODY_BYTES: Final = 64 * 1024
METADATA_KEYS: Final[frozenset[str]] = frozenset({"forwarded"})


def sender_problem(sender: Any) -> str | None:
    """Why ``sender`` is not an acceptable sender id, or None when it is (never repeats the value)."""
    if not isinstance(sender, str):
        return "'sender' is required and must be a string"
    if not SENDER_ID.fullmatch(sender):
        return f"'sender' must be 1 to {MAX_SENDER_CHARS} ASCII letters, digits, '-' or '_'"
    if sender.isdigit():
        return "'sender' must not be digits only (a phone number or chat id); send a pseudonym"
    return None


def channel_problem(channel: Any) -> str | None:
    """Why ``channel`` (the body's ``input_channel``) is not allowed, or None (absent means ``rest``)."""
    if channel is None or channel in REST_CHANNELS:
        return None
    return f"'input_channel' must be one of: {', '.join(REST_CHANNELS)}"


def metadata_problem(metadata: Any) -> str | None:
    """Why ``metadata`` may not be stored with the message, or None when it may."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not set(metadata) <= METADATA_KEYS:
        return "'metadata' may only be an object with the key 'forwarded'"
    if not isinstance(metadata.get("forwarded", False), bool):
        return "'metadata.forwarded' must be true or false"
    return None
