"""Keeps protected releases: in memory per process, and in the ``release`` table for every process and restart.

A settled period's events no longer change, so its release is computed once. The key holds a fingerprint of
the events (their number and the highest id): a purge of a leaked key's events changes it, and the release is
computed again. Only published figures are stored, never exact counts.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import StoredRelease
from api.release import CROSSES, Release, cross_name
from api.suppression import Published

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
    """Computed releases: this process's memory first, then the database, else computed and stored."""

    def __init__(self, max_entries: int = 20000) -> None:
        self._entries: dict[tuple[ReleaseKey, Fingerprint], Release] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(
        self, session: Session, key: ReleaseKey, fingerprint: Fingerprint, compute: Callable[[], Release]
    ) -> Release:
        """The release for ``key`` computed from events with ``fingerprint``."""
        with self._lock:
            found = self._entries.get((key, fingerprint))
        if found is not None:
            return found
        period, start, kind, threshold, base = key
        stored = session.execute(
            select(StoredRelease).where(
                StoredRelease.period == period,
                StoredRelease.period_start == start,
                StoredRelease.kind == kind,
                StoredRelease.threshold == threshold,
                StoredRelease.base == base,
            )
        ).scalar_one_or_none()
        if stored is not None and (stored.events, stored.last_id) == fingerprint:
            release = load(stored.payload)
        else:
            release = compute()
            if stored is None:
                session.add(
                    StoredRelease(
                        period=period,
                        period_start=start,
                        kind=kind,
                        threshold=threshold,
                        base=base,
                        events=fingerprint[0],
                        last_id=fingerprint[1],
                        payload=dump(release),
                    )
                )
            else:
                stored.events, stored.last_id, stored.payload = fingerprint[0], fingerprint[1], dump(release)
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[(key, fingerprint)] = release
        return release
