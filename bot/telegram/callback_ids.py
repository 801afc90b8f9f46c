"""Maps Rasa button payloads to callback data of at most 64 bytes, and back.

Telegram limits ``callback_data`` to 64 bytes (``InlineKeyboardButtonLimit.MAX_CALLBACK_DATA``), but
payloads such as ``/inform_place{"place":"kerkrade"}`` can be longer. A short payload is carried as
is, so it survives a restart; a long one gets a hash id kept in a bounded in-process map.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable

from shared.expiring import ExpiringMap

MAX_CALLBACK_BYTES = 64
INLINE_PREFIX = "p:"
KEY_PREFIX = "k:"


class CallbackIds:
    """Short ids for button payloads.

    Args:
        ttl_seconds: How long a hashed id stays resolvable after it was last handed out.
        max_size: Upper bound on remembered payloads; the least recently used go first.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        ttl_seconds: float = 7 * 24 * 3600,
        max_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._payloads: ExpiringMap[str] = ExpiringMap(ttl_seconds, max_size, clock)

    def id_for(self, payload: str) -> str:
        """Return callback data for a payload.

        Args:
            payload: The Rasa button payload.

        Returns:
            A string of at most 64 UTF-8 bytes.
        """
        inline = INLINE_PREFIX + payload
        if len(inline.encode()) <= MAX_CALLBACK_BYTES:
            return inline
        digest = hashlib.blake2b(payload.encode(), digest_size=12).digest()
        key = KEY_PREFIX + base64.urlsafe_b64encode(digest).decode()
        self._payloads.put(key, payload)
        return key

    def payload_for(self, callback_data: str | None) -> str | None:
        """Resolve callback data back to the payload.

        Clients can send arbitrary callback data (core.telegram.org/bots/api#callbackquery).
        A forged hash id is simply unknown; a forged inline payload resolves here, so the handlers
        also check ``RasaClient.was_offered`` (this conversation got that button) before using it.

        Args:
            callback_data: ``CallbackQuery.data`` as received.

        Returns:
            The payload, or None when the id is unknown (e.g. from before a restart) or malformed.
        """
        if not callback_data:
            return None
        if callback_data.startswith(INLINE_PREFIX):
            payload = callback_data[len(INLINE_PREFIX) :]
            return payload or None
        return self._payloads.get(callback_data)
