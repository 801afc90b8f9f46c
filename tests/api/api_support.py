"""Builders used by several API test modules: settings and event payloads (no shared state)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from api.settings import ApiSettings
from knowledge.clock import today as clock_today

INGEST_KEY = "test-ingest-key-0123456789abcdef"
READ_KEY = "test-read-key-0123456789abcdef"


def make_settings(database_url: str, **overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {
        "_env_file": None,
        "app_env": "test",
        "database_url": database_url,
        "auto_migrate": False,
        "ingest_key": INGEST_KEY,
        "read_key": READ_KEY,
        "ingest_key_sha256": None,
        "read_key_sha256": None,
        "session_secret": "test-session-secret-0123456789",
        "secure_cookies": False,
        "suppression_threshold": 10,
        "rounding_base": 5,
        "content_dir": None,
        "warm_releases": False,
    }
    values.update(overrides)
    return ApiSettings(**values)


def event(**fields: Any) -> dict[str, Any]:
    """A valid 'answered' event; keyword arguments replace or add fields."""
    base: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "day": "2026-11-16",
        "kind": "answered",
        "topic": "digid_aanvragen",
        "target": None,
        "gemeente": "kerkrade",
        "channel": "web",
    }
    base.update(fields)
    return base


def days_ago(n: int, today: dt.date | None = None) -> str:
    """ISO date ``n`` days before the API's today (the pinned clock) or before ``today``."""
    return ((today or clock_today()) - dt.timedelta(days=n)).isoformat()
