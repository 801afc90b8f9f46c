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

from api.models import Event, StoredRelease
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


def fingerprint_days(
    session: Session, first: dt.date, last: dt.date, period: Period
) -> dict[tuple[dt.date, str], tuple[int, int]]:
    """Per (period start, kind): the number of events from ``first`` to ``last`` and the highest event id.

    One GROUP BY per day and kind over a short window; reports.py uses it to check recently settled releases.
    """
    query = (
        select(Event.day, Event.kind, func.count(), func.max(Event.id))
        .where(Event.day >= first, Event.day <= last)
        .group_by(Event.day, Event.kind)
    )
    found: dict[tuple[dt.date, str], tuple[int, int]] = {}
    for day, kind, n, highest in session.execute(query):
        key = (period_start(day, period), kind)
        count, top = found.get(key, (0, 0))
        found[key] = (count + int(n), max(top, int(highest)))
    return found


def fingerprint_period(session: Session, start: dt.date, period: Period, kind: str) -> tuple[int, int]:
    """How many events of ``kind`` the period has, and the highest event id: what a release is computed from."""
    query = select(func.count(), func.max(Event.id)).where(
        Event.day >= start, Event.day < next_period(start, period), Event.kind == kind
    )
    n, last = session.execute(query).one()
    return int(n), int(last or 0)


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
    low, high = session.execute(select(func.min(Event.day), func.max(Event.day)).where(*conditions)).one()
    result: Any = session.execute(delete(Event).where(*conditions))
    if low is not None:
        for period in PERIODS:  # the releases of every period touched are computed again when next asked for
            session.execute(
                delete(StoredRelease).where(
                    StoredRelease.period == period,
                    StoredRelease.period_start >= period_start(low, period),
                    StoredRelease.period_start <= period_start(high, period),
                )
            )
    return int(result.rowcount or 0)
