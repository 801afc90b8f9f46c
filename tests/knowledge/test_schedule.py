from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from knowledge.dutch import format_session
from knowledge.holidays import easter_sunday, holidays_for_year, koningsdag
from knowledge.models import Closure, WeeklySlot
from knowledge.schedule import closure_reason, current_session, upcoming_sessions

AMS = ZoneInfo("Europe/Amsterdam")


def _location(catalog, loc_id="hub_kerkrade", **changes):
    loc = next(loc for loc in catalog.locations if loc.id == loc_id)
    return replace(loc, **changes)


def _with_weekly(loc, service, *slots):
    schedule = replace(loc.services[service], weekly=tuple(slots))
    return replace(loc, services={**loc.services, service: schedule})


def test_next_sessions_are_real_dates_in_order(catalog):
    loc = _with_weekly(_location(catalog, closures=()), "e_cafe", WeeklySlot(1, time(14), time(16)))
    now = datetime(2025, 11, 26, 9, 0, tzinfo=AMS)  # a Wednesday
    sessions = upcoming_sessions(catalog, loc, "e_cafe", now, count=3)
    assert [format_session(s.start, s.end) for s in sessions] == [
        "dinsdag 2 december, 14:00–16:00",
        "dinsdag 9 december, 14:00–16:00",
        "dinsdag 16 december, 14:00–16:00",
    ]


def test_session_today_counts_until_it_ends(catalog):
    loc = _with_weekly(_location(catalog, closures=()), "e_cafe", WeeklySlot(1, time(14), time(16)))
    during = datetime(2025, 12, 2, 15, 30, tzinfo=AMS)
    after = datetime(2025, 12, 2, 16, 0, tzinfo=AMS)
    assert current_session(catalog, loc, "e_cafe", during) is not None
    assert upcoming_sessions(catalog, loc, "e_cafe", during, 1)[0].start.day == 2
    assert current_session(catalog, loc, "e_cafe", after) is None
    assert upcoming_sessions(catalog, loc, "e_cafe", after, 1)[0].start.day == 9


VERBOUWING = Closure(date(2025, 12, 2), date(2025, 12, 9), "Verbouwing")


# Dated closure: a renovation. Holiday: Friday slot; Goede Vrijdag is not observed by default, but Tweede
# Kerstdag 2025 is a Friday. Rows: closures, service, weekday, now, first open day, closed day, its reason.
CLOSED_DAYS = {
    "dated_closure": ((VERBOUWING,), "e_cafe", 1, (2025, 11, 26), (2025, 12, 16), (2025, 12, 5), "Verbouwing"),
    "holiday": ((), "informatiepunt", 4, (2025, 12, 22), (2026, 1, 2), (2025, 12, 26), "tweede_kerstdag"),
}


@pytest.mark.parametrize(
    ("closures", "service", "weekday", "today", "first_day", "closed_day", "reason"),
    CLOSED_DAYS.values(),
    ids=CLOSED_DAYS.keys(),
)
def test_closed_days_are_skipped(catalog, closures, service, weekday, today, first_day, closed_day, reason):
    loc = _with_weekly(_location(catalog, closures=closures), service, WeeklySlot(weekday, time(10), time(12)))
    now = datetime(*today, 9, 0, tzinfo=AMS)
    first = upcoming_sessions(catalog, loc, service, now, 1)[0]
    assert first.start.date() == date(*first_day)
    assert closure_reason(catalog, loc, date(*closed_day)) == reason


def test_wall_clock_time_survives_daylight_saving_change(catalog):
    # Summer time ends on Sunday 26 October 2025; Tuesday sessions stay at 14:00 local time.
    loc = _with_weekly(_location(catalog, closures=()), "e_cafe", WeeklySlot(1, time(14), time(16)))
    now = datetime(2025, 10, 20, 12, 0, tzinfo=timezone.utc)
    before, after = upcoming_sessions(catalog, loc, "e_cafe", now, 2)
    assert (before.start.hour, after.start.hour) == (14, 14)
    assert before.start.utcoffset().total_seconds() == 7200
    assert after.start.utcoffset().total_seconds() == 3600
    assert after.start.astimezone(timezone.utc).hour == 13


def test_now_given_in_utc_is_judged_in_amsterdam_time(catalog):
    loc = _with_weekly(_location(catalog, closures=()), "informatiepunt", WeeklySlot(4, time(10), time(12)))
    # 09:30 UTC on a Friday in winter is 10:30 in Amsterdam: open.
    assert current_session(catalog, loc, "informatiepunt", datetime(2025, 11, 28, 9, 30, tzinfo=timezone.utc))
    # 10:30 UTC in winter is 11:30 local: still open; 11:30 UTC is 12:30 local: closed.
    assert (
        current_session(catalog, loc, "informatiepunt", datetime(2025, 11, 28, 11, 30, tzinfo=timezone.utc))
        is None
    )


def test_no_weekly_slots_means_no_sessions(catalog):
    loc = _location(catalog)
    assert upcoming_sessions(catalog, loc, "bibliotheek", datetime(2025, 11, 26, tzinfo=AMS)) == []


def test_easter_and_derived_holidays():
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2024) == date(2024, 3, 31)
    days = holidays_for_year(2026)
    assert days[date(2026, 5, 14)] == "hemelvaartsdag"
    assert days[date(2026, 5, 25)] == "tweede_pinksterdag"
    assert days[date(2026, 2, 16)] == "carnavalsmaandag"


def test_koningsdag_moves_to_saturday_when_27_april_is_a_sunday():
    assert koningsdag(2025) == date(2025, 4, 26)
    assert koningsdag(2026) == date(2026, 4, 27)
