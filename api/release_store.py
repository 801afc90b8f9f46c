"""Keeps protected releases: in the ``release`` table for every process and restart, and in memory per process.

A settled period's events no longer change, so its release is computed once. Only published figures are
stored, never exact counts; ``events`` and ``last_id`` record what a release was computed from.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from api.models import StoredRelease
from api.release import CROSSES, Release, cross_name
from api.suppression import Published

_ROWS_PER_INSERT = 500  # 8 values a row: far below SQLite's and PostgreSQL's limits on bound parameters

ReleaseKey = tuple[str, dt.date, str, int, int]  # period, start, kind, threshold, base
Fingerprint = tuple[int, int]  # number of events, highest event id


def _figure(published: Published) -> list[Any]:
    return [published.count, published.shown, published.hidden]


def _published(row: list[Any]) -> Published:
    return Published(row[0], row[1], row[2])


def dump(release: Release) -> str:
    """A release as JSON: published figures only."""
    return json.dumps(
        {
            "total": _figure(release.total),
            "margins": {d: [[v, *_figure(p)] for v, p in m.items()] for d, m in release.margins.items()},
            "crosses": {
                cross_name(pair): [[a, b, *_figure(p)] for (a, b), p in m.items()]
                for pair, m in release.crosses.items()
            },
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def load(payload: str) -> Release:
    """The release ``dump`` wrote."""
    data = json.loads(payload)
    return Release(
        total=_published(data["total"]),
        margins={d: {row[0]: _published(row[1:]) for row in rows} for d, rows in data["margins"].items()},
        crosses={
            pair: {(row[0], row[1]): _published(row[2:]) for row in data["crosses"].get(cross_name(pair), [])}
            for pair in CROSSES
        },
    )


class ReleaseCache:
    """Releases of settled periods: a row in ``release`` is the truth, this process's memory a decoded copy.

    A settled period's events change only through a purge (``python -m api events purge``), which deletes the
    rows of the periods it touches; a missing row is computed again. So a request reads the small ``release``
    rows of its range, never the events of a period released before.
    """

    def __init__(self, max_entries: int = 20000) -> None:
        self._entries: dict[ReleaseKey, tuple[Fingerprint, Release]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get_many(
        self,
        session: Session,
        period: str,
        starts: Sequence[dt.date],
        kinds: Sequence[str],
        threshold: int,
        base: int,
        compute: Callable[[dt.date, str], tuple[Fingerprint, Release]],
        recent: frozenset[dt.date] = frozenset(),
        current: Mapping[tuple[dt.date, str], Fingerprint] | None = None,
    ) -> dict[tuple[dt.date, str], Release]:
        """The release of every (start, kind): from memory, from a stored row, or computed now and stored.

        For the ``recent`` periods (recently settled) ``current`` holds the fingerprints of the events now: a
        stored release made from other events is computed again (two processes whose clocks disagree, or an
        event requeued by hand). Older periods are trusted as stored.
        """
        current = current or {}
        if not starts:
            return {}
        listed = session.execute(
            select(
                StoredRelease.period_start, StoredRelease.kind, StoredRelease.events, StoredRelease.last_id
            ).where(
                StoredRelease.period == period,
                StoredRelease.threshold == threshold,
                StoredRelease.base == base,
                StoredRelease.period_start >= starts[0],
                StoredRelease.period_start <= starts[-1],
            )
        ).all()
        stored = {(start, kind): (events, last_id) for start, kind, events, last_id in listed}
        found: dict[tuple[dt.date, str], Release] = {}
        to_read: list[tuple[dt.date, str]] = []
        computed: list[tuple[dt.date, str, Fingerprint, Release]] = []
        for start in starts:
            for kind in kinds:
                key: ReleaseKey = (period, start, kind, threshold, base)
                fingerprint = stored.get((start, kind))
                now = current.get((start, kind), (0, 0)) if start in recent else None
                if fingerprint is not None and now is not None and now != fingerprint:
                    session.execute(
                        delete(StoredRelease).where(
                            StoredRelease.period == period,
                            StoredRelease.period_start == start,
                            StoredRelease.kind == kind,
                            StoredRelease.threshold == threshold,
                            StoredRelease.base == base,
                        )
                    )
                    fingerprint = None
                with self._lock:
                    memory = self._entries.get(key)
                if fingerprint is not None and memory is not None and memory[0] == fingerprint:
                    found[(start, kind)] = memory[1]
                elif fingerprint is not None:
                    to_read.append((start, kind))
                else:
                    made_from, release = compute(start, kind)
                    computed.append((start, kind, made_from, release))
                    self._remember(key, made_from, release)
                    found[(start, kind)] = release
        _store(session, period, threshold, base, computed)
        if to_read:
            wanted = set(to_read)
            rows = session.execute(
                select(StoredRelease).where(
                    StoredRelease.period == period,
                    StoredRelease.threshold == threshold,
                    StoredRelease.base == base,
                    StoredRelease.period_start >= min(start for start, _ in to_read),
                    StoredRelease.period_start <= max(start for start, _ in to_read),
                )
            ).scalars()
            for row in rows:
                if (row.period_start, row.kind) in wanted:
                    release = load(row.payload)
                    key = (period, row.period_start, row.kind, threshold, base)
                    self._remember(key, (row.events, row.last_id), release)
                    found[(row.period_start, row.kind)] = release
        return found

    def _remember(self, key: ReleaseKey, fingerprint: Fingerprint, release: Release) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (fingerprint, release)


def _store(
    session: Session,
    period: str,
    threshold: int,
    base: int,
    computed: Sequence[tuple[dt.date, str, Fingerprint, Release]],
) -> None:
    """Insert the new releases, skipping any another process stored meanwhile.

    Two processes (or the start-up warm-up and a request) may compute the same settled period at once. Both
    computed it from the same events, so the first row stored wins and the other is dropped; an ORM insert
    would instead fail the request with a duplicate key. Storing after all computing also keeps the write lock
    (SQLite) short.
    """
    if not computed:
        return
    rows = [
        {
            "period": period,
            "period_start": start,
            "kind": kind,
            "threshold": threshold,
            "base": base,
            "events": made_from[0],
            "last_id": made_from[1],
            "payload": dump(release),
        }
        for start, kind, made_from, release in computed
    ]
    dialect = session.get_bind().dialect.name
    for first in range(0, len(rows), _ROWS_PER_INSERT):
        session.execute(_insert_or_skip(dialect, rows[first : first + _ROWS_PER_INSERT]))


def _insert_or_skip(dialect: str, rows: list[dict[str, Any]]) -> Executable:
    if dialect == "postgresql":
        return postgresql.insert(StoredRelease).values(rows).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(StoredRelease).values(rows).on_conflict_do_nothing()
    raise NotImplementedError(f"the release store supports SQLite and PostgreSQL, not {dialect}")
