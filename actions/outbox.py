"""Local SQLite outbox for reach events: actions write here and return at once; the relay
(actions/outbox_relay.py) delivers to the statistics API later.

record_event() never raises and never touches the network, so counting can never slow down or
break an answer. One connection per process is reused (WAL, thread-safe); the file is found
through OUTBOX_PATH or defaults to var/outbox.sqlite3 under the repository root.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from knowledge import get_catalog
from knowledge.clock import today as today_default
from knowledge.reach import event_problems, reach_vocabulary

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "outbox.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS ix_outbox_state_seq ON outbox (state, seq);
"""

_lock = threading.Lock()
_connection: sqlite3.Connection | None = None
_connection_key: tuple[int, str] | None = None


def outbox_path() -> Path:
    """Return the outbox file: OUTBOX_PATH (relative paths from the repo root) or the default."""
    configured = os.environ.get("OUTBOX_PATH")
    if not configured:
        return DEFAULT_PATH
    path = Path(configured)
    return path if path.is_absolute() else DEFAULT_PATH.parent.parent / path


def connect(path: Path) -> sqlite3.Connection:
    """Open (and if needed create) an outbox database in WAL mode, in autocommit mode.

    Args:
        path: The SQLite file.

    Returns:
        A connection usable from several threads (callers serialise access).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), timeout=5.0, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.executescript(SCHEMA)
    return connection


def _shared_connection() -> sqlite3.Connection:
    """The per-process connection; reopened after a fork or when OUTBOX_PATH changes."""
    global _connection, _connection_key
    key = (os.getpid(), str(outbox_path()))
    if _connection is None or _connection_key != key:
        _connection = connect(Path(key[1]))
        _connection_key = key
    return _connection


def reset_connection() -> None:
    """Close the shared connection (tests, shutdown)."""
    global _connection, _connection_key
    with _lock:
        if _connection is not None and _connection_key and _connection_key[0] == os.getpid():
            _connection.close()
        _connection = None
        _connection_key = None


def _problem(kind: str, fields: dict[str, object], day: dt.date) -> str | None:
    """Name the first invalid field (never its value), or None when the API would accept the event.

    The rules are knowledge/reach.py's, the ones the API checks too, against the content loaded right now. The
    day is the writer's own stamp; whether it is still recent enough is the API's decision when it arrives.
    """
    event = {"kind": kind, "day": day, **fields}
    problems = event_problems(event, reach_vocabulary(get_catalog()), today=day)
    return problems[0][0] if problems else None


def record_event(
    kind: str,
    *,
    topic: str | None,
    target: str | None,
    gemeente: str | None,
    channel: str,
    helpful: bool | None = None,
    today: dt.date | None = None,
) -> None:
    """Write one reach event to the outbox. Fast, local, and never raises.

    Args:
        kind: ``conversation_started``, ``answered``, ``referred``, ``handoff_requested``,
            ``feedback`` or ``not_understood``.
        topic: Topic id, or None.
        target: Referral target id (snake_case), or None.
        gemeente: One of the four municipalities, or None.
        channel: API channel value; use channel_for() on the Rasa input channel.
        helpful: True/False for ``feedback`` events, None otherwise.
        today: The day to record; None means today in Europe/Amsterdam.
    """
    try:
        day = today or today_default()
        fields: dict[str, object] = {
            "topic": topic,
            "target": target,
            "gemeente": gemeente,
            "channel": channel,
            "helpful": helpful,
        }
        problem = _problem(kind, fields, day)
        if problem is not None:
            log.warning("outbox: event not recorded, invalid field %s", problem)
            return
        event_id = str(uuid.uuid4())
        payload: dict[str, object] = {
            "event_id": event_id,
            "day": day.isoformat(),
            "kind": kind,
            "topic": topic,
            "target": target,
            "gemeente": gemeente,
            "channel": channel,
        }
        if helpful is not None:
            payload["helpful"] = helpful
        row = (event_id, json.dumps(payload, separators=(",", ":")), time.time())
        with _lock:
            _shared_connection().execute(
                "INSERT INTO outbox (event_id, payload, created_at) VALUES (?, ?, ?)", row
            )
    except Exception as error:  # counting must never cost a resident an answer
        log.warning("outbox: event not recorded (%s)", type(error).__name__)
