"""Opening-hour logic: is a service open now, and when are its next sessions. Pure: the clock is a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from knowledge.holidays import holiday_name
from knowledge.models import Catalog, Location

LOOKAHEAD_DAYS = 70


@dataclass(frozen=True)
class Session:
    """One concrete opening of a service, as aware datetimes in the catalogue's time zone."""

    start: datetime
    end: datetime


def closure_reason(catalog: Catalog, location: Location, day: date) -> str | None:
    """Why ``location`` is closed on ``day`` (a dated closure or an observed holiday), or None."""
    for closure in location.closures:
        if closure.start <= day <= closure.end:
            return closure.reason
    return holiday_name(day, catalog.closed_on_holidays)


def upcoming_sessions(
    catalog: Catalog, location: Location, service_id: str, now: datetime, count: int = 3
) -> list[Session]:
    """The next ``count`` sessions of a service at a location that have not ended at ``now``.

    Weekly slots are wall-clock times, so a session at 10:00 stays at 10:00 across a daylight-saving change.
    Closures, observed holidays and the schedule's cancelled days are skipped; single extra sessions are added.
    """
    schedule = location.services.get(service_id)
    if schedule is None or not (schedule.weekly or schedule.sessions):
        return []
    zone = ZoneInfo(catalog.timezone)
    local_now = now.astimezone(zone)
    found: list[Session] = []
    for offset in range(LOOKAHEAD_DAYS):
        day = local_now.date() + timedelta(days=offset)
        if closure_reason(catalog, location, day) is not None or day in schedule.cancelled:
            continue
        times = [(s.start, s.end) for s in schedule.weekly if s.weekday == day.weekday()]
        times += [(s.start, s.end) for s in schedule.sessions if s.day == day]
        for slot_start, slot_end in sorted(set(times)):
            start = datetime.combine(day, slot_start, tzinfo=zone)
            end = datetime.combine(day, slot_end, tzinfo=zone)
            if end > local_now:
                found.append(Session(start=start, end=end))
                if len(found) == count:
                    return found
    return found


def current_session(catalog: Catalog, location: Location, service_id: str, now: datetime) -> Session | None:
    """The session going on at ``now``, if any."""
    sessions = upcoming_sessions(catalog, location, service_id, now, count=1)
    if sessions and sessions[0].start <= now.astimezone(sessions[0].start.tzinfo) < sessions[0].end:
        return sessions[0]
    return None
