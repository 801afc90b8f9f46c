"""Dutch calendar words and the date formats residents read ("dinsdag 2 december, 14:00–16:00")."""

from __future__ import annotations

from datetime import datetime

from knowledge.models import WeeklySlot

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def format_session(start: datetime, end: datetime) -> str:
    """'dinsdag 2 december, 14:00–16:00'."""
    return f"{WEEKDAYS[start.weekday()]} {start.day} {MONTHS[start.month - 1]}, {start:%H:%M}–{end:%H:%M}"


def format_weekly(slots: tuple[WeeklySlot, ...]) -> str:
    """'dinsdag 14:00–16:00, vrijdag 10:00–12:00'."""
    return ", ".join(f"{WEEKDAYS[s.weekday]} {s.start:%H:%M}–{s.end:%H:%M}" for s in slots)
