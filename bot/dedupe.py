"""Remembers recently seen platform ids (Telegram ``update_id``, WhatsApp ``wamid``) for a while.

Both platforms redeliver when they think a delivery failed; this keeps one message from being
answered twice. Memory is bounded by size and age, and ids are kept only in process memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.expiring import ExpiringMap


class SeenIds:
    """A bounded set of ids with a time to live.

    Args:
        ttl_seconds: How long an id counts as seen.
        max_size: Upper bound on remembered ids; the oldest go first.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        ttl_seconds: float = 24 * 3600,
        max_size: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seen: ExpiringMap[bool] = ExpiringMap(ttl_seconds, max_size, clock)

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, item_id: str) -> bool:
        """Record ``item_id`` and say whether it is new.

        Args:
            item_id: The platform's message or update id.

        Returns:
            True the first time an id is seen within the TTL, False for a repeat.
        """
        self._seen.expire()
        if self._seen.get(item_id):
            return False
        self._seen.put(item_id, True)
        return True
