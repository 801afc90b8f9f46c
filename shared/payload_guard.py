"""Keeps residents from typing Rasa payload syntax (``/intent{"slot": "value"}``) into the bot.

Rasa parses any message whose stripped text starts with ``/`` as an intent with entities, before
NLU (``YAMLStoryReader.unpack_regex_message`` in rasa 3.6). Buttons need that, so a payload is let
through only when it equals a payload the bot offered to the same conversation recently; any other
leading slash is removed so NLU classifies the words. Standard library only: the web-chat connector
(Rasa environment) and the adapters' Rasa client (app environment) both use it.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.expiring import ExpiringMap

PAYLOAD_PREFIX = "/"
DEFAULT_TTL_SECONDS = 24 * 3600.0
DEFAULT_MAX_SENDERS = 10_000
DEFAULT_MAX_PER_SENDER = 40


def _visible_start(text: str) -> str:
    """``text`` as masking will leave it, without what comes before the first visible character.

    Masking (knowledge/pii.py) folds the text with NFKC and drops zero-width characters, so a full-width
    slash ("／") or a slash behind a zero-width space would become a payload after the guard had let it
    pass. The guard therefore judges the text in that folded form.
    """
    folded = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(folded) and (folded[start].isspace() or unicodedata.category(folded[start]) == "Cf"):
        start += 1
    return folded[start:]


def looks_like_payload(text: str) -> bool:
    """True when Rasa would read ``text`` as an intent payload, now or after masking folds it."""
    return _visible_start(text).startswith(PAYLOAD_PREFIX)


def neutralise(text: str) -> str:
    """Remove every leading slash (and the whitespace around it), so Rasa treats the rest as words.

    Args:
        text: What the resident typed.

    Returns:
        The text unchanged when it is no payload; otherwise the stripped words (possibly empty).
    """
    if not looks_like_payload(text):
        return text
    rest = _visible_start(text)
    while rest.startswith(PAYLOAD_PREFIX):
        rest = _visible_start(rest[len(PAYLOAD_PREFIX) :])
    return rest.strip()


class OfferedPayloads:
    """Button payloads offered per conversation, in a map bounded by size and age.

    Args:
        ttl_seconds: How long an offered payload stays acceptable.
        max_senders: Conversations remembered; the least recently active go first.
        max_per_sender: Payloads remembered per conversation; the oldest go first.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_senders: int = DEFAULT_MAX_SENDERS,
        max_per_sender: int = DEFAULT_MAX_PER_SENDER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0 or max_senders <= 0 or max_per_sender <= 0:
            raise ValueError("ttl_seconds, max_senders and max_per_sender must be positive")
        self._ttl = ttl_seconds
        self._max_per_sender = max_per_sender
        self._clock = clock
        # A conversation's entry is stored again at every offer, so the least recently offered go first.
        self._offered: ExpiringMap[ExpiringMap[bool]] = ExpiringMap(ttl_seconds, max_senders, clock)

    def __len__(self) -> int:
        return len(self._offered)

    def record(self, sender: str, payloads: Iterable[str]) -> None:
        """Remember payloads the bot just sent to ``sender`` as buttons.

        Args:
            sender: The conversation id Rasa sees.
            payloads: Button payloads; only those that look like payloads need remembering.
        """
        wanted = [p for p in payloads if isinstance(p, str) and looks_like_payload(p)]
        if not wanted:
            return
        entry = self._offered.get(sender)
        if entry is None:
            entry = ExpiringMap(self._ttl, self._max_per_sender, self._clock)
        for payload in wanted:
            entry.put(payload.strip(), True)
        self._offered.put(sender, entry)

    def was_offered(self, sender: str, payload: str) -> bool:
        """True when ``payload`` equals a payload offered to ``sender`` within the TTL.

        Args:
            sender: The conversation id Rasa sees.
            payload: The text that arrived.
        """
        entry = self._offered.get(sender)
        return entry is not None and entry.get(payload.strip()) is not None


@dataclass(frozen=True)
class Guarded:
    """The text to hand to Rasa, and what the guard did (for logs: never the text itself)."""

    text: str
    outcome: str  # "text", "payload" (an offered button) or "neutralised"


def guard(offered: OfferedPayloads, sender: str, text: str) -> Guarded:
    """Let an offered payload through as is; strip the slash from any other payload-like text.

    Args:
        offered: The per-conversation record of offered buttons.
        sender: The conversation id Rasa sees.
        text: What arrived from the resident (typed or a button press).

    Returns:
        The text Rasa may see and the outcome.
    """
    if not looks_like_payload(text):
        return Guarded(text=text, outcome="text")
    if offered.was_offered(sender, text):
        return Guarded(text=text.strip(), outcome="payload")
    return Guarded(text=neutralise(text), outcome="neutralised")
