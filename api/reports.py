"""Protected statistics: exact counts from the service, passed through suppression, as
StatsOut or CSV. Routes and the dashboard both read counts only through here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy.orm import Session

from api.schemas import PeriodTotal, ShownCount, StatsCell, StatsOut, ValueTotal
from api.service import MAX_RANGE_DAYS, Breakdown, Period, count_events, next_period
from api.suppression import Published, protect_table


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


def _shown(published: Published) -> dict[str, object]:
    return {"count": published.count, "shown": published.shown, "hidden": published.hidden}


def protected_stats(
    session: Session,
    *,
    first: dt.date,
    last: dt.date,
    period: Period,
    by: Breakdown,
    kind: str | None,
    threshold: int,
    base: int,
) -> StatsOut:
    """Count, protect and package statistics for one breakdown.

    Args:
        session: Database session.
        first: First day asked for (widened to the start of its period).
        last: Last day asked for (widened to the end of its period).
        period: ``week`` or ``month``.
        by: The breakdown.
        kind: Only this kind of event, or None for all.
        threshold: Smallest count that may be shown.
        base: Rounding base for shown counts.

    Returns:
        The protected statistics.
    """
    check_range(first, last)
    table = count_events(session, first=first, last=last, period=period, by=by, kind=kind)
    protected = protect_table(table.cells, threshold=threshold, base=base)
    cells = [
        StatsCell(period_start=start, value=value, **_shown(protected.cells[i][j]))  # type: ignore[arg-type]
        for i, start in enumerate(table.periods)
        for j, value in enumerate(table.values)
    ]
    period_totals = [
        PeriodTotal(period_start=start, **_shown(protected.row_totals[i]))  # type: ignore[arg-type]
        for i, start in enumerate(table.periods)
    ]
    value_totals = [
        ValueTotal(value=value, **_shown(protected.column_totals[j]))  # type: ignore[arg-type]
        for j, value in enumerate(table.values)
    ]
    end = next_period(table.periods[-1], period) - dt.timedelta(days=1)
    return StatsOut.model_validate(
        {
            "from": table.periods[0],
            "to": end,
            "period": period,
            "by": by,
            "kind": kind,
            "threshold": threshold,
            "rounding": base,
            "periods": table.periods,
            "values": table.values,
            "cells": cells,
            "period_totals": period_totals,
            "value_totals": value_totals,
            "total": ShownCount(**_shown(protected.grand_total)),  # type: ignore[arg-type]
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
