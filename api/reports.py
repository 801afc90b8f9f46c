"""Protected statistics: releases of settled periods (api/release.py), assembled into StatsOut, CSV and the
municipal report. Routes and the dashboard read counts only through here.

Every figure shown is either a released figure or a sum of released figures, so nothing here can reveal more
than the releases do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.release import EMPTY, ZERO, Release, is_settled, protect_period
from api.release_store import ReleaseCache
from api.schemas import PeriodTotal, ShownCount, StatsCell, StatsOut, ValueTotal
from api.service import (
    MAX_RANGE_DAYS,
    PERIODS,
    Breakdown,
    Period,
    count_period,
    fingerprint_days,
    fingerprint_period,
    next_period,
    period_start,
    period_starts,
)
from api.suppression import Published
from api.vocabulary import CHANNELS, HELPFUL_VALUES, KINDS
from knowledge.clock import today as clock_today

if TYPE_CHECKING:
    from api.context import AppContext

log = logging.getLogger(__name__)


RECHECK_DAYS = 45  # periods that ended this recently are checked against their events on every request


class RangeError(ValueError):
    """The requested date range is empty or too long."""


def default_range(today: dt.date, period: Period) -> tuple[dt.date, dt.date]:
    """Last 12 weeks, or the last 12 months, up to and including today."""
    if period == "week":
        return today - dt.timedelta(weeks=11), today
    first = today.replace(day=1)
    for _ in range(11):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, today


def check_range(first: dt.date, last: dt.date) -> None:
    """Raise RangeError when ``first`` is after ``last`` or the span is too long."""
    if first > last:
        raise RangeError("'from' must be on or before 'to'")
    if (last - first).days > MAX_RANGE_DAYS:
        raise RangeError(f"the range may span at most {MAX_RANGE_DAYS} days")


def published_until(today: dt.date, period: Period) -> dt.date:
    """The last day of the newest settled period."""
    start = period_start(today, period)
    while not is_settled(next_period(start, period) - dt.timedelta(days=1), today):
        start = period_start(start - dt.timedelta(days=1), period)
    return next_period(start, period) - dt.timedelta(days=1)


def settled_starts(first: dt.date, last: dt.date, period: Period, today: dt.date) -> list[dt.date]:
    """The starts of the periods from ``first`` to ``last`` that are settled and so may be published."""
    limit = published_until(today, period)
    return [s for s in period_starts(first, last, period) if s <= limit]


@dataclass(frozen=True)
class Releases:
    """The releases of every kind in a list of settled periods."""

    starts: list[dt.date]
    by_period: dict[tuple[dt.date, str], Release]

    def of(self, start: dt.date, kind: str) -> Release:
        """The release of ``kind`` in the period starting on ``start``."""
        return self.by_period[(start, kind)]


def load_releases(
    session: Session,
    starts: Sequence[dt.date],
    period: Period,
    *,
    threshold: int,
    base: int,
    cache: ReleaseCache,
) -> Releases:
    """Every (period, kind) release of the given settled periods: cached, stored, or computed now and stored."""

    def compute(start: dt.date, kind: str) -> tuple[tuple[int, int], Release]:
        fingerprint = fingerprint_period(session, start, period, kind)
        if fingerprint[0] == 0:
            return fingerprint, EMPTY
        exact = count_period(session, start, period, kind)
        return fingerprint, protect_period(exact, threshold=threshold, base=base)

    # Periods settled in the last few weeks are checked against their events (one small GROUP BY); older
    # releases are trusted as stored.
    recent_since = clock_today() - dt.timedelta(days=RECHECK_DAYS)
    recent = frozenset(s for s in starts if next_period(s, period) > recent_since)
    current = (
        fingerprint_days(session, min(recent), next_period(max(recent), period) - dt.timedelta(days=1), period)
        if recent
        else {}
    )
    found = cache.get_many(session, period, starts, KINDS, threshold, base, compute, recent, current)
    try:
        session.commit()
    except OperationalError as error:  # storing only saves work later; this request has its figures
        session.rollback()
        log.warning("releases not stored (%s)", type(error).__name__)
    return Releases(list(starts), found)


def derived_sum(parts: Iterable[Published], threshold: int) -> Published:
    """The sum of published figures: exact where every part is shown, else what the parts tell about it.

    A hidden small part is 1 to threshold-1 and an "x" part at least 1, which is exactly what a reader can
    conclude from the parts, so the result discloses nothing new: "<10" when the sum must be below the
    threshold, else a lower bound such as "≥ 35".
    """
    low = high = 0
    partial = False
    for part in parts:
        if part.count is not None:
            low += part.count
            high += part.count
            continue
        partial = True
        low += 1
        high += threshold - 1 if part.hidden == "small" else 10**9
    if not partial:
        return Published(low, str(low))
    if high < threshold:
        return Published(None, f"<{threshold}", "small")
    return Published(None, f"≥ {low}", "partial")


def _shown(published: Published) -> dict[str, object]:
    return {"count": published.count, "shown": published.shown, "hidden": published.hidden}


def _values(by: Breakdown, releases: Releases, kinds: Sequence[str]) -> list[str | None]:
    fixed: dict[str, tuple[str, ...]] = {"kind": KINDS, "channel": CHANNELS, "helpful": HELPFUL_VALUES}
    if by == "kind":
        return list(KINDS)
    observed: set[str | None] = set()
    for (_, kind), release in releases.by_period.items():
        if kind in kinds:
            observed.update(v for v, p in release.margins[by].items() if p.count != 0)
    if by in fixed:
        known: list[str | None] = list(fixed[by])
        return [*known, None] if None in observed else known
    named = sorted(v for v in observed if v is not None)
    return [*named, None] if None in observed else [*named]


def protected_stats(
    ctx: AppContext,
    session: Session,
    *,
    first: dt.date,
    last: dt.date,
    period: Period,
    by: Breakdown,
    kind: str | None,
    today: dt.date,
) -> StatsOut:
    """Statistics for one breakdown over the settled periods from ``first`` to ``last``.

    Published with this app's suppression threshold, rounding base and release cache, so the stats endpoints
    and the dashboard can never show a figure that the other suppresses.

    A cell of one kind is a released figure; a cell over all kinds, a period total over kinds and every total
    over periods are sums of released figures (``derived_sum``).

    Raises:
        RangeError: The range is reversed or too long.
    """
    threshold, base = ctx.settings.suppression_threshold, ctx.settings.rounding_base
    check_range(first, last)
    starts = settled_starts(first, last, period, today)
    releases = load_releases(session, starts, period, threshold=threshold, base=base, cache=ctx.releases)
    kinds = [kind] if kind else list(KINDS)
    values = _values(by, releases, kinds)

    def cell(start: dt.date, value: str | None) -> Published:
        if by == "kind":
            return releases.of(start, value).total if value in kinds and value else ZERO
        parts = [releases.of(start, k).margin(by, value) for k in kinds]
        return parts[0] if len(parts) == 1 else derived_sum(parts, threshold)

    table = {(start, value): cell(start, value) for start in starts for value in values}
    period_totals = {
        start: (
            releases.of(start, kinds[0]).total
            if len(kinds) == 1
            else derived_sum((releases.of(start, k).total for k in kinds), threshold)
        )
        for start in starts
    }
    value_totals = {value: derived_sum((table[(s, value)] for s in starts), threshold) for value in values}
    grand = derived_sum(period_totals.values(), threshold)
    requested = period_starts(first, last, period)
    return StatsOut.model_validate(
        {
            "from": requested[0],
            "to": next_period(requested[-1], period) - dt.timedelta(days=1),
            "period": period,
            "by": by,
            "kind": kind,
            "published_until": published_until(today, period),
            "threshold": threshold,
            "rounding": base,
            "periods": starts,
            "values": values,
            "cells": [
                StatsCell(period_start=s, value=v, **_shown(table[(s, v)]))  # type: ignore[arg-type]
                for s in starts
                for v in values
            ],
            "period_totals": [
                PeriodTotal(period_start=s, **_shown(period_totals[s]))  # type: ignore[arg-type]
                for s in starts
            ],
            "value_totals": [
                ValueTotal(value=v, **_shown(value_totals[v]))  # type: ignore[arg-type]
                for v in values
            ],
            "total": ShownCount(**_shown(grand)),  # type: ignore[arg-type]
        }
    )


def stats_csv(stats: StatsOut) -> str:
    """Render statistics as CSV: one line per cell, then the totals (``total`` marks them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period_start", "by", "value", "count"])
    for cell in stats.cells:
        writer.writerow([cell.period_start.isoformat(), stats.by, cell.value or "", cell.shown])
    for row in stats.period_totals:
        writer.writerow([row.period_start.isoformat(), stats.by, "total", row.shown])
    for column in stats.value_totals:
        writer.writerow(["total", stats.by, column.value or "", column.shown])
    writer.writerow(["total", stats.by, "total", stats.total.shown])
    return buffer.getvalue()


def warm_releases(ctx: AppContext, months: int = 13) -> None:
    """Compute and store the releases of the settled weeks and months of the last ``months`` months.

    Runs in a background thread at start-up; a failure is logged and costs only speed (requests compute what
    they need themselves).
    """
    today = clock_today()
    first = today - dt.timedelta(days=31 * months)
    try:
        for period in PERIODS:
            with ctx.sessions() as session:
                load_releases(
                    session,
                    settled_starts(first, today, period, today),
                    period,
                    threshold=ctx.settings.suppression_threshold,
                    base=ctx.settings.rounding_base,
                    cache=ctx.releases,
                )
        log.info("releases ready", extra={"months": months})
    except Exception as error:  # start-up must not fail because of a cache
        log.warning("releases not computed in advance (%s)", type(error).__name__)
