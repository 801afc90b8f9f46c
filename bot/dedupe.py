"""Remembers recently seen platform ids (Telegram ``update_id``, WhatsApp ``wamid``) for a while.

Both platforms redeliver when they think a delivery failed; this keeps one message from being
answered twice. Memory is bounded by size and age, and ids are kept only in process memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


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
        if ttl_seconds <= 0 or max_size <= 0:
            raise ValueError("ttl_seconds and max_size must be positive")
        self._ttl = ttl_seconds
        self._max = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, item_id: str) -> bool:
        """Record ``item_id`` and say whether it is new.

        Args:
            item_id: The platform's message or update id.

        Returns:
            True the first time an id is seen within the TTL, False for a repeat.
        """
        now = self._clock()
        self._expire(now)
        if item_id in self._seen:
            return False
        self._seen[item_id] = now
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True

    def _expire(self, now: float) -> None:
        while self._seen:
            oldest_id, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self._ttl:
                break
            del self._seen[oldest_id]
