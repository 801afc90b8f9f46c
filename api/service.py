"""Use cases on the database: record events idempotently, and count them per period and value.

Counting is "SQL first": each insert adds to the pre-aggregated ``event_count`` table in the same
transaction, and a statistics request is one GROUP BY over that table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.models import Event, EventCount
from api.schemas import EventIn
from api.vocabulary import CHANNELS, GEMEENTEN, KINDS

Period = Literal["week", "month"]
Breakdown = Literal["topic", "target", "gemeente", "channel", "kind", "helpful"]
PERIODS: tuple[Period, ...] = ("week", "month")
ROLLUP_DIMENSIONS = ("topic", "target", "gemeente", "channel")
EARLIEST_DAY = dt.date(2020, 1, 1)
MAX_RANGE_DAYS = 1100

RollupKey = tuple[str, str, str, dt.date, str]


@dataclass(frozen=True)
class CountTable:
    """Exact counts: ``cells[i][j]`` is period ``periods[i]`` and value ``values[j]``."""

    periods: list[dt.date]
    values: list[str | None]
    cells: list[list[int]]


def period_start(day: dt.date, period: Period) -> dt.date:
    """Return the first day of the ISO week (Monday) or calendar month holding ``day``.

    Args:
        day: Any date.
        period: ``week`` or ``month``.

    Returns:
        The period's first day.
    """
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(start: dt.date, period: Period) -> dt.date:
    """Return the first day of the period after the one starting on ``start``."""
    if period == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_starts(first: dt.date, last: dt.date, period: Period) -> list[dt.date]:
    """Every period start from the period of ``first`` to that of ``last``, inclusive."""
    current = period_start(first, period)
    end = period_start(last, period)
    starts = []
    while current <= end:
        starts.append(current)
        current = next_period(current, period)
    return starts


def day_problem(day: dt.date, today: dt.date) -> str | None:
    """Return why an event day is implausible, or None when it is acceptable."""
    if day < EARLIEST_DAY:
        return f"day is before {EARLIEST_DAY.isoformat()}"
    if day > today + dt.timedelta(days=1):
        return "day lies in the future (Europe/Amsterdam)"
    return None


def _rollup_keys(event: EventIn) -> Iterable[RollupKey]:
    fields: dict[str, str | None] = {
        "topic": event.topic,
        "target": event.target,
        "gemeente": event.gemeente,
        "channel": event.channel,
    }
    for period in PERIODS:
        start = period_start(event.day, period)
        yield (period, "all", event.kind, start, "")
        for dimension in ROLLUP_DIMENSIONS:
            yield (period, dimension, event.kind, start, fields[dimension] or "")
        if event.helpful is not None:
            yield (period, "helpful", event.kind, start, "true" if event.helpful else "false")


def _dialect_insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def record_events(session: Session, events: Sequence[EventIn]) -> tuple[int, int]:
    """Store events once each and add the new ones to the running counts.

    A repeated ``event_id`` (in the database or within ``events``) is skipped, so redelivery by
    the outbox relay is harmless. Runs inside the caller's transaction.

    Args:
        session: Session with an open transaction.
        events: Validated events.

    Returns:
        ``(created, duplicates)``.
    """
    unique: dict[uuid.UUID, EventIn] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    rows = [event.model_dump() for event in unique.values()]
    # Core tables and executemany: the statement is compiled once and cached, and SQLAlchemy's
    # "insertmanyvalues" batches the rows (a multi-row .values() would be recompiled per call).
    event_table = Event.__table__
    insert_events = (
        _dialect_insert(session, event_table)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(event_table.c.event_id)
    )
    created_ids = set(session.execute(insert_events, rows).scalars().all())
    rollup: Counter[RollupKey] = Counter()
    for event_id in created_ids:
        rollup.update(_rollup_keys(unique[event_id]))
    if rollup:
        count_table = EventCount.__table__
        upsert = _dialect_insert(session, count_table)
        upsert = upsert.on_conflict_do_update(
            index_elements=["period", "dimension", "kind", "period_start", "value"],
            set_={"n": count_table.c.n + upsert.excluded.n},
        )
        session.execute(
            upsert,
            [
                {
                    "period": key[0],
                    "dimension": key[1],
                    "kind": key[2],
                    "period_start": key[3],
                    "value": key[4],
                    "n": n,
                }
                for key, n in sorted(rollup.items())
            ],
        )
    return len(created_ids), len(events) - len(created_ids)


def _value_order(by: Breakdown, observed: set[str | None]) -> list[str | None]:
    fixed: dict[str, tuple[str, ...]] = {
        "kind": KINDS,
        "channel": CHANNELS,
        "gemeente": GEMEENTEN,
        "helpful": ("true", "false"),
    }
    if by in fixed:
        values: list[str | None] = list(fixed[by])
        return [*values, None] if None in observed else values
    named = sorted(v for v in observed if v is not None)
    return [*named, None] if None in observed else list(named)


def count_events(
    session: Session,
    *,
    first: dt.date,
    last: dt.date,
    period: Period,
    by: Breakdown,
    kind: str | None = None,
) -> CountTable:
    """Count events per period and value of one breakdown, from the pre-aggregated table.

    Args:
        session: Database session.
        first: Any day in the first period.
        last: Any day in the last period.
        period: ``week`` or ``month``.
        by: Breakdown: topic, target, gemeente, channel, kind or helpful.
        kind: Only count events of this kind (None: all kinds).

    Returns:
        Exact counts; values with a null field appear as None.
    """
    starts = period_starts(first, last, period)
    if not starts:
        return CountTable([], [], [])
    dimension = "all" if by == "kind" else by
    value_column = EventCount.kind if by == "kind" else EventCount.value
    query = (
        select(EventCount.period_start, value_column, func.sum(EventCount.n))
        .where(
            EventCount.period == period,
            EventCount.dimension == dimension,
            EventCount.period_start >= starts[0],
            EventCount.period_start <= starts[-1],
        )
        .group_by(EventCount.period_start, value_column)
    )
    if kind is not None:
        query = query.where(EventCount.kind == kind)
    found: dict[tuple[dt.date, str | None], int] = {}
    for start, value, n in session.execute(query):
        found[(start, value or None)] = int(n)
    values = _value_order(by, {value for _, value in found})
    cells = [[found.get((start, value), 0) for value in values] for start in starts]
    return CountTable(starts, values, cells)
