"""Turns a user id into a stable pseudonym; raw chat ids and phone numbers never reach Rasa.

Rasa's tracker stores ``sender_id`` as given (``rasa/core/tracker_store.py``); a keyed hash keeps
one conversation per user without letting anyone who reads the tracker recover the id.
"""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_LENGTH = 32


def pseudonymise(platform: str, user_id: str | int, key: bytes) -> str:
    """Return the pseudonym of a user on a platform.

    Args:
        platform: Channel name, e.g. ``"telegram"`` or ``"whatsapp"``; the same id on two platforms
            gets two unrelated pseudonyms.
        user_id: The platform's id (a Telegram chat id, a WhatsApp ``wa_id``).
        key: The secret ``ADAPTER_PSEUDONYM_KEY``; without it the hash could be reversed by trying
            every phone number.

    Returns:
        HMAC-SHA256 over ``"platform:user_id"``, hex, truncated to 32 characters (128 bits).

    Raises:
        ValueError: When the key is empty.
    """
    if not key:
        raise ValueError("pseudonym key must not be empty")
    digest = hmac.new(key, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]
