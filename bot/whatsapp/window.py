"""Tracks WhatsApp's 24-hour customer service window per pseudonym.

Free-form messages may only be sent within 24 hours of the user's last inbound message; our own
messages do not reopen it (developers.facebook.com/docs/whatsapp/conversation-types). Outside it
only an approved template may be sent, which this adapter never does, so it sends nothing.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

WINDOW_SECONDS = 24 * 3600
# Stop a little early so clock skew between Meta and us cannot push a send past the window.
SAFETY_MARGIN_SECONDS = 300


class ServiceWindow:
    """Last inbound time per pseudonym (never per phone number), bounded in size.

    Args:
        max_size: Upper bound on remembered users; the least recently active go first.
        clock: Wall clock in epoch seconds (Meta's timestamps are epoch seconds).
    """

    def __init__(self, max_size: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        if max_size <= 0:
            raise ValueError("max_size must be positive")
        self._max = max_size
        self._clock = clock
        self._last: OrderedDict[str, float] = OrderedDict()

    def record_inbound(self, sender: str, timestamp: float) -> None:
        """Note an inbound message.

        Args:
            sender: The pseudonym.
            timestamp: When the user sent it (Meta's ``timestamp``, epoch seconds).
        """
        latest = max(timestamp, self._last.get(sender, timestamp))
        self._last[sender] = latest
        self._last.move_to_end(sender)
        while len(self._last) > self._max:
            self._last.popitem(last=False)

    def is_open(self, sender: str) -> bool:
        """Say whether a free-form message may be sent now.

        Args:
            sender: The pseudonym.

        Returns:
            True when the last inbound message is less than 24 hours (minus a margin) old.
        """
        last = self._last.get(sender)
        if last is None:
            return False
        return self._clock() - last < WINDOW_SECONDS - SAFETY_MARGIN_SECONDS
