"""Use cases on the database: record events idempotently, count them per settled period, remove a key's events.

A statistics request reads one GROUP BY over the events of the periods it shows (through the index on
``day``); api/release.py protects each period, and reports.py caches the result, since a settled period no
longer changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.models import Event
from api.release import Cell
from api.schemas import EventIn

Period = Literal["week", "month"]
Breakdown = Literal["topic", "target", "gemeente", "channel", "kind", "helpful"]
PERIODS: tuple[Period, ...] = ("week", "month")
MAX_RANGE_DAYS = 1100


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


def _dialect_insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def record_events(session: Session, events: Sequence[EventIn], key_ref: str) -> tuple[int, int]:
    """Store events once each, with the key that wrote them.

    A repeated ``event_id`` (in the database or within ``events``) is skipped, so redelivery by
    the outbox relay is harmless. Runs inside the caller's transaction.

    Args:
        session: Session with an open transaction.
        events: Validated events.
        key_ref: The ingest key's reference (``KeyGrant.ref``).

    Returns:
        ``(created, duplicates)``.
    """
    unique: dict[uuid.UUID, EventIn] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    rows = [{**event.model_dump(), "key_ref": key_ref} for event in unique.values()]
    # Core tables and executemany: the statement is compiled once and cached, and SQLAlchemy's
    # "insertmanyvalues" batches the rows (a multi-row .values() would be recompiled per call).
    event_table = Event.__table__
    insert_events = (
        _dialect_insert(session, event_table)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(event_table.c.event_id)
    )
    created_ids = set(session.execute(insert_events, rows).scalars().all()) if rows else set()
    return len(created_ids), len(events) - len(created_ids)


Fingerprints = dict[tuple[dt.date, str], tuple[int, int]]


def fingerprint_periods(session: Session, starts: Sequence[dt.date], period: Period) -> Fingerprints:
    """Per (period start, kind): how many events there are and the highest event id.

    One small GROUP BY per day and kind (through the index on day and kind); the releases are keyed by it, so a
    statistics request reads the events themselves only for a period it has not released before.
    """
    found: dict[tuple[dt.date, str], list[int]] = {}
    if not starts:
        return {}
    end = next_period(starts[-1], period)
    wanted = set(starts)
    query = (
        select(Event.day, Event.kind, func.count(), func.max(Event.id))
        .where(Event.day >= starts[0], Event.day < end)
        .group_by(Event.day, Event.kind)
    )
    for day, kind, n, last in session.execute(query):
        start = period_start(day, period)
        if start in wanted:
            entry = found.setdefault((start, kind), [0, 0])
            entry[0] += int(n)
            entry[1] = max(entry[1], int(last))
    return {key: (n, last) for key, (n, last) in found.items()}


def count_period(session: Session, start: dt.date, period: Period, kind: str) -> dict[Cell, int]:
    """Exact counts of one kind in one period per combination of values (helpful as "true"/"false")."""
    columns = (Event.topic, Event.target, Event.gemeente, Event.channel, Event.helpful)
    query = (
        select(*columns, func.count())
        .where(Event.day >= start, Event.day < next_period(start, period), Event.kind == kind)
        .group_by(*columns)
    )
    counts: dict[Cell, int] = {}
    for topic, target, gemeente, channel, helpful, n in session.execute(query):
        flag = None if helpful is None else ("true" if helpful else "false")
        counts[(topic, target, gemeente, channel, flag)] = int(n)
    return counts


def events_per_key(session: Session) -> list[tuple[str | None, int, dt.date, dt.date]]:
    """How many events each key wrote, with the first and last day: for finding a leaked key's events."""
    query = (
        select(Event.key_ref, func.count(), func.min(Event.day), func.max(Event.day))
        .group_by(Event.key_ref)
        .order_by(Event.key_ref)
    )
    return [(ref, int(n), first, last) for ref, n, first, last in session.execute(query)]


def purge_key_events(
    session: Session,
    key_ref: str,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    dry_run: bool = False,
) -> int:
    """Delete the events one key wrote (optionally only between two days); returns how many.

    With ``dry_run`` only counts them. Runs inside the caller's transaction. Releases of the periods concerned
    change once, when they are next computed; docs/api.md says why that is acceptable.
    """
    conditions = [Event.key_ref == key_ref]
    if first is not None:
        conditions.append(Event.day >= first)
    if last is not None:
        conditions.append(Event.day <= last)
    if dry_run:
        return int(session.execute(select(func.count()).select_from(Event).where(*conditions)).scalar_one())
    result: Any = session.execute(delete(Event).where(*conditions))
    return int(result.rowcount or 0)
