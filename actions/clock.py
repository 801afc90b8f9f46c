"""The action server's clock. Tests and demos pin it with WEGWIJZER_NOW (ISO 8601 with offset), so no test
depends on today's date."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current time in Europe/Amsterdam, or the pinned time from WEGWIJZER_NOW."""
    pinned = os.environ.get("WEGWIJZER_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TIMEZONE)
        return moment.astimezone(TIMEZONE)
    return datetime.now(TIMEZONE)
