"""A bounded map whose entries expire: memory of recent ids and offered buttons, kept in process memory only.

Why one class: the processes remember three things for a while (platform ids already answered, Telegram's short
ids for long button payloads, and the buttons each conversation was offered), and each must stay bounded by size
and by age so a flood cannot grow the process without limit. Standard library only: both runtimes import it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringMap(Generic[V]):
    """Keys with a value and the time it was stored; the oldest go first past ``max_size``.

    Args:
        ttl_seconds: How long an entry counts after it was last stored.
        max_size: Upper bound on entries.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(self, ttl_seconds: float, max_size: int, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_seconds <= 0 or max_size <= 0:
            raise ValueError("ttl_seconds and max_size must be positive")
        self._ttl = ttl_seconds
        self._max = max_size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[V, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: str, value: V) -> None:
        """Store ``value`` under ``key`` now (a stored key moves to the newest end)."""
        self._entries[key] = (value, self._clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def get(self, key: str) -> V | None:
        """The value stored under ``key`` within the TTL, else None (an expired entry is dropped)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, stored_at = entry
        if self._clock() - stored_at >= self._ttl:
            del self._entries[key]
            return None
        return value

    def expire(self) -> None:
        """Drop every expired entry (the oldest are first, so this stops at the first live one)."""
        now = self._clock()
        while self._entries:
            _, (_, stored_at) = next(iter(self._entries.items()))
            if now - stored_at < self._ttl:
                break
            self._entries.popitem(last=False)
