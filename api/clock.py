"""Today's date in Europe/Amsterdam, the only clock the API uses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def today_amsterdam() -> dt.date:
    """Return the current calendar day in Europe/Amsterdam."""
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
