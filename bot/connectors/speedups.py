"""The measured fixes of Rasa 3.6 overhead, installed together (BENCHMARKS.md, "Where a turn's CPU goes").

Why one place: each fix replaces a Rasa method inside the Rasa process, and Rasa 3.6 has no start-up hook of
its own. ``bot/connectors/rasa_main.py`` calls ``install()`` before Rasa's CLI starts, so the fixes do not
depend on which channels credentials.yml configures; our channels also call it from ``from_credentials``
(idempotent).
"""

from __future__ import annotations

from bot.connectors import action_validation, event_lookup


def install() -> None:
    """Install every speed-up (each is idempotent)."""
    action_validation.install()
    event_lookup.install()
