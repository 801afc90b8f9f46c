"""Dutch public holidays (and Limburg's carnival days) for a year, computed, so no yearly list goes stale."""

from __future__ import annotations

from datetime import date, timedelta


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def koningsdag(year: int) -> date:
    """27 April, or 26 April when the 27th is a Sunday."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


def holidays_for_year(year: int) -> dict[date, str]:
    """Map each holiday date of ``year`` to its name (the names used in locations.yml)."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "nieuwjaarsdag",
        easter - timedelta(days=48): "carnavalsmaandag",
        easter - timedelta(days=47): "carnavalsdinsdag",
        easter - timedelta(days=2): "goede_vrijdag",
        easter: "eerste_paasdag",
        easter + timedelta(days=1): "tweede_paasdag",
        koningsdag(year): "koningsdag",
        date(year, 5, 5): "bevrijdingsdag",
        easter + timedelta(days=39): "hemelvaartsdag",
        easter + timedelta(days=49): "eerste_pinksterdag",
        easter + timedelta(days=50): "tweede_pinksterdag",
        date(year, 12, 25): "eerste_kerstdag",
        date(year, 12, 26): "tweede_kerstdag",
    }


def holiday_name(day: date, observed: frozenset[str]) -> str | None:
    """The name of the holiday on ``day`` if it is one of the ``observed`` holidays, else None."""
    name = holidays_for_year(day.year).get(day)
    return name if name in observed else None
