"""Local SQLite outbox for reach events: actions write here and return at once; the relay
(actions/outbox_relay.py) delivers to the statistics API later. Standard library only.

record_event() never raises and never touches the network, so counting can never slow down or
break an answer. One connection per process is reused (WAL, thread-safe); the file is found
through OUTBOX_PATH or defaults to var/outbox.sqlite3 under the repository root.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "outbox.sqlite3"

# Mirrors api/vocabulary.py (the API lives in the other Python environment and is not imported).
KINDS = frozenset(
    {
        "conversation_started",
        "answered",
        "referred",
        "handoff_requested",
        "feedback",
        "not_understood",
        # Issue #13 (message check): target = verdict, resp. target = signal id; never any message text.
        "message_checked",
        "message_signal",
    }
)
CHANNELS = frozenset({"web", "telegram", "whatsapp", "staff", "rest"})
GEMEENTEN = frozenset({"kerkrade", "brunssum", "voerendaal", "simpelveld"})
SNAKE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

INPUT_CHANNELS = {
    "rest": "rest",
    "socketio": "web",
    "webchat": "web",
    "telegram": "telegram",
    "whatsapp": "whatsapp",
    "staff": "staff",
    "triage": "staff",
}

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


def _amsterdam_offset(moment: dt.datetime) -> dt.timedelta:
    """CET/CEST without tz data: summer time from the last Sunday of March to that of October,
    switching at 01:00 UTC (EU rule, Directive 2000/84/EC)."""

    def last_sunday(month: int) -> dt.datetime:
        day = dt.datetime(moment.year, month, 31, 1, tzinfo=dt.timezone.utc)
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)

    summer = last_sunday(3) <= moment < last_sunday(10)
    return dt.timedelta(hours=2 if summer else 1)


def today_amsterdam() -> dt.date:
    """Today's date in Europe/Amsterdam (zoneinfo when available, else the EU rule)."""
    utc_now = dt.datetime.now(dt.timezone.utc)
    try:
        from zoneinfo import ZoneInfo

        return utc_now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    except Exception:  # no tz database on this machine
        return (utc_now + _amsterdam_offset(utc_now)).date()


def channel_for(input_channel: str | None) -> str:
    """Map a Rasa input channel name to the API's channel value (unknown names count as rest).

    Args:
        input_channel: ``tracker.get_latest_input_channel()``, e.g. ``socketio`` or ``telegram``.

    Returns:
        One of ``web``, ``telegram``, ``whatsapp``, ``staff``, ``rest``.
    """
    return INPUT_CHANNELS.get((input_channel or "").strip().lower(), "rest")


def _problem(
    kind: str,
    topic: str | None,
    target: str | None,
    gemeente: str | None,
    channel: str,
    helpful: bool | None,
) -> str | None:
    """Name the first invalid field (never its value), or None when the event is valid."""
    if kind not in KINDS:
        return "kind"
    if channel not in CHANNELS:
        return "channel"
    if gemeente is not None and gemeente not in GEMEENTEN:
        return "gemeente"
    if topic is not None and not (isinstance(topic, str) and SNAKE_ID.match(topic)):
        return "topic"
    if target is not None and not (isinstance(target, str) and SNAKE_ID.match(target)):
        return "target"
    if (kind == "feedback") != isinstance(helpful, bool):
        return "helpful"
    return None


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
        problem = _problem(kind, topic, target, gemeente, channel, helpful)
        if problem is not None:
            log.warning("outbox: event not recorded, invalid field %s", problem)
            return
        event_id = str(uuid.uuid4())
        payload: dict[str, object] = {
            "event_id": event_id,
            "day": (today or today_amsterdam()).isoformat(),
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
