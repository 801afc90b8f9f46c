"""Operator commands on the outbox: ``python -m actions.outbox_relay status | dead list | dead requeue``.

They exist so an operator or a supervisor can see and fix what the relay concluded without
opening SQLite by hand: ``status`` is the health signal (exit 0 ok, 1 blocked, 2 the outbox is
unusable), ``dead list`` shows what was given up on and why, ``dead requeue`` sends it again after
a fix. Output names event ids, reasons, counts, kinds and days only, never other payload fields.
The commands never create an outbox file and need neither the API key nor the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import TextIO

from actions.outbox_relay import OutboxUnusable, open_outbox, read_state
from knowledge.reach import LATE_EVENT_DAYS  # a requeued event older than this is refused again (422)


def _age(seconds: float) -> str:
    """A short, rounded-down age such as ``3d 4h``, ``5h 12m`` or ``42m``."""
    minutes = max(0, int(seconds // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


def _utc(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _kind_and_day(payload: str) -> tuple[str, str]:
    """Only these two payload fields are ever shown; anything unreadable shows as ``?``."""
    try:
        data = json.loads(payload)
    except ValueError:
        return "?", "?"
    if not isinstance(data, dict):
        return "?", "?"
    return str(data.get("kind", "?")), str(data.get("day", "?"))


def status(db: sqlite3.Connection, path: Path, out: TextIO, now: float) -> int:
    """Print the relay's health and the outbox counts.

    Returns:
        0 when the relay is not blocked (or has not run yet), 1 when it is blocked.
    """
    state = read_state(db)
    counts = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    oldest = db.execute("SELECT MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()[0]
    out.write(f"outbox: {path}\n")
    if state is None:
        out.write("relay: ok (no relay has run on this outbox yet)\n")
    else:
        out.write(f"relay: {state.status} since {_utc(state.since)} ({_age(now - state.since)} ago)\n")
        if state.reason:
            out.write(f"reason: {state.reason}\n")
        out.write(f"last verdict: {_utc(state.checked_at)}\n")
    pending = f"{counts.get('pending', 0)} pending"
    if oldest is not None:
        pending += f" (oldest {_age(now - float(oldest))})"
    out.write(f"events: {pending}, {counts.get('dead', 0)} dead, {counts.get('delivered', 0)} delivered\n")
    return 1 if state is not None and state.status == "blocked" else 0


def dead_list(db: sqlite3.Connection, out: TextIO, now: float) -> int:
    """Print every dead event: id, reason, attempts, age, kind and day. Returns 0."""
    found = db.execute(
        "SELECT event_id, last_error, attempts, created_at, payload FROM outbox "
        "WHERE state = 'dead' ORDER BY seq"
    ).fetchall()
    if not found:
        out.write("no dead events\n")
        return 0
    out.write(f"{'event_id':<36}  {'reason':<8} {'attempts':>8} {'age':>7}  {'kind':<18} day\n")
    for event_id, reason, attempts, created_at, payload in found:
        kind, day = _kind_and_day(payload)
        age = _age(now - float(created_at))
        out.write(f"{event_id:<36}  {reason or '-':<8} {attempts:>8} {age:>7}  {kind:<18} {day}\n")
    out.write(f"{len(found)} dead events\n")
    return 0


def dead_requeue(db: sqlite3.Connection, event_ids: list[str], every: bool, out: TextIO, today: dt.date) -> int:
    """Make dead events pending again with attempts and error reset.

    Args:
        db: The outbox.
        event_ids: The events to requeue (ignored with ``every``).
        every: Requeue all dead events.
        out: Where to report.
        today: For the hint about days the API will refuse as late.

    Returns:
        0 when every named event was requeued, 1 when some id was not a dead event.
    """
    with db:  # one transaction: all or nothing
        db.execute("BEGIN IMMEDIATE")
        if every:
            chosen = db.execute("SELECT event_id, payload FROM outbox WHERE state = 'dead'").fetchall()
        else:
            chosen = []
            for event_id in dict.fromkeys(event_ids):
                row = db.execute("SELECT state, payload FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
                if row is None or row[0] != "dead":
                    why = "unknown event id" if row is None else f"not dead but {row[0]}"
                    out.write(f"not requeued: {event_id} ({why})\n")
                    continue
                chosen.append((event_id, row[1]))
        db.executemany(
            "UPDATE outbox SET state = 'pending', attempts = 0, last_error = NULL "
            "WHERE event_id = ? AND state = 'dead'",
            [(event_id,) for event_id, _ in chosen],
        )
    out.write(f"requeued {len(chosen)} event{'' if len(chosen) == 1 else 's'}\n")
    late = today - dt.timedelta(days=LATE_EVENT_DAYS)
    too_old = sum(1 for _, payload in chosen if _kind_and_day(payload)[1] < late.isoformat())
    if too_old:
        out.write(
            f"note: {too_old} of them have a day before {late.isoformat()}; the API refuses events more than "
            f"{LATE_EVENT_DAYS} days old (422), so the relay will dead-letter them again\n"
        )
    return 0 if every or len(chosen) == len(dict.fromkeys(event_ids)) else 1


def run_command(args: argparse.Namespace, path: Path) -> int:
    """Run ``status`` or ``dead list|requeue`` on the outbox at ``path``.

    Returns:
        The command's exit code, or 2 with one line on stderr when the outbox is unusable.
    """
    try:
        db = open_outbox(path, create=False)
    except OutboxUnusable as problem:
        sys.stderr.write(f"outbox relay: {problem}\n")
        return 2
    try:
        if args.command == "status":
            return status(db, path, sys.stdout, time.time())
        if args.dead_command == "list":
            return dead_list(db, sys.stdout, time.time())
        from knowledge.clock import today as today_amsterdam

        return dead_requeue(db, list(args.event_ids), bool(args.all), sys.stdout, today_amsterdam())
    except sqlite3.Error as error:
        sys.stderr.write(f"outbox relay: outbox {path} failed ({error})\n")
        return 2
    finally:
        db.close()
