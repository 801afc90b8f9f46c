"""The measured fixes of Rasa 3.6 overhead, installed together (BENCHMARKS.md, "Where a turn's CPU goes").

Why one place: each fix replaces a Rasa method inside the Rasa process, and Rasa 3.6 has no start-up hook of
its own. Every channel of ours calls ``install()`` from ``from_credentials``, which Rasa runs once at start-up,
so removing one channel from credentials.yml does not silently remove the fixes.
"""

from __future__ import annotations

from bot.connectors import action_validation, event_lookup


def install() -> None:
    """Install every speed-up (each is idempotent)."""
    action_validation.install()
    event_lookup.install()
