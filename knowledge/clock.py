"""The one clock every Wegwijzer process uses: Europe/Amsterdam, pinned with WEGWIJZER_NOW.

The action server stamps reach events with a day, and the API decides which days it accepts and which periods
are settled enough to publish; both must agree on "today", so both read it here. Tests and demos pin it with
``WEGWIJZER_NOW`` (ISO 8601, with or without an offset).
"""

from __future__ import annotations

import os
from datetime import date, datetime
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


def today() -> date:
    """Today's calendar day in Europe/Amsterdam (pinned with WEGWIJZER_NOW)."""
    return now().date()
