"""What counts as a placeholder secret: one definition for every process.

Standard library only, because the Rasa environment (Python 3.10, pydantic 1) cannot import ``bot/settings.py``
(pydantic-settings); the adapters' settings and the web-chat session key (``bot/connectors/webchat_session.py``)
both use these names.
"""

from __future__ import annotations

PLACEHOLDERS = frozenset({"", "changethis", "changeme", "change-me", "secret", "xxx", "todo"})
MIN_KEY_LENGTH = 16
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_hex(32))"'


def is_placeholder(raw: str | None) -> bool:
    """True when a secret is missing, empty or one of the well-known placeholder words."""
    return raw is None or raw.strip().lower() in PLACEHOLDERS


def is_development(app_env: str | None) -> bool:
    """True only for ``APP_ENV=development``; unset means production."""
    return (app_env or "production").strip().lower() == "development"
