"""Outbox relay: ``python -m actions.outbox_relay``. Sends pending outbox rows to the statistics
API in batches, and marks them delivered only after a 200/201.

Delivery is at least once; the API's idempotency on event_id makes it exactly once in effect.
What each answer means (docs/api.md, "Relay"):

- network errors, 5xx and other statuses: the batch stays pending; back off with jitter, retry;
- 422: resend one by one; an event refused alone is dead-lettered;
- 413: split the batch in halves; a single event refused as too large is dead-lettered;
- 401, 403, 404: the configuration is wrong, not the events. The relay stops sending, logs one
  ERROR line saying what to fix, records ``blocked`` in the ``relay_state`` table, and probes
  again every RELAY_BLOCKED_PROBE_INTERVAL seconds, so a fix on the API side resumes delivery
  without a restart.

A broken outbox file stops the relay at start-up with exit code 2 and one line naming the file and
the problem. ``status`` and ``dead list|requeue`` are operator commands (actions/outbox_admin.py).
Logs hold counts and event ids, never payloads.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import requests

from actions.outbox import connect, outbox_path
from shared.secret_policy import SecretCheck, check_environ, summary

log = logging.getLogger("actions.outbox_relay")

DELIVERED = (200, 201)

# Statuses that say the relay's configuration is wrong, with what the operator must fix. The events
# are fine, so they stay pending; sending more of them would only repeat the same refusal.
BLOCKING: dict[int, str] = {
    401: (
        "the API refused the ingest key (missing, unknown or revoked): set API_INGEST_KEY to an active "
        "ingest key (python -m api keys create --scope ingest) and restart the relay, "
        "or restore the key on the API"
    ),
    403: (
        "the ingest key lacks the ingest scope (a read key?): set API_INGEST_KEY to a key created with "
        "--scope ingest and restart the relay"
    ),
    404: (
        "the API has no /api/v1/events under API_URL: check API_URL (scheme, host, port, no path prefix) "
        "and that the API runs the v1 routes"
    ),
}

OUTBOX_COLUMNS = frozenset(
    {"seq", "event_id", "payload", "state", "attempts", "created_at", "delivered_at", "last_error"}
)
OWN_TABLES = frozenset({"outbox", "relay_state", "sqlite_sequence"})

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS relay_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    status TEXT NOT NULL CHECK (status IN ('ok', 'blocked')),
    reason TEXT,
    since REAL NOT NULL,
    checked_at REAL NOT NULL
);
"""


class TransientError(Exception):
    """The batch could not be delivered now; try again after a pause."""


class Blocked(Exception):
    """The API refused the relay's configuration (401, 403, 404); sending more would not help."""

    def __init__(self, status: int) -> None:
        """Remember the HTTP status; the message is the fix from BLOCKING."""
        super().__init__(f"HTTP {status}")
        self.status = status


class OutboxUnusable(Exception):
    """The outbox file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class RelaySettings:
    """Relay configuration, read once from the environment."""

    api_url: str
    api_key: str
    outbox: Path
    batch_size: int = 500
    poll_interval: float = 1.0
    timeout: float = 10.0
    base_backoff: float = 1.0
    max_backoff: float = 60.0
    max_age_days: float = 30.0
    keep_delivered_days: float = 7.0
    blocked_probe_interval: float = 300.0


def ingest_key_check(environ: dict[str, str] | None = None) -> SecretCheck:
    """What the secret policy says about ``API_INGEST_KEY`` (with ``APP_ENV`` from the same environment)."""
    return check_environ("API_INGEST_KEY", os.environ if environ is None else environ)


def load_settings(environ: dict[str, str] | None = None) -> RelaySettings:
    """Build settings from the environment; a missing or refused ingest key stops the relay at start-up.

    Args:
        environ: Variables to read (default: ``os.environ``).

    Returns:
        The settings.

    Raises:
        SystemExit: When API_INGEST_KEY is unset, or outside development a placeholder or shorter than
            16 characters (shared/secret_policy.py), or a number is malformed.
    """
    env = dict(os.environ if environ is None else environ)
    check = ingest_key_check(env)
    if not check.usable:
        raise SystemExit(
            f"outbox relay: {summary([check])}: set an ingest key from `python -m api keys create --scope "
            "ingest` (see .env.example)"
        )
    key = env["API_INGEST_KEY"].strip()
    try:
        return RelaySettings(
            api_url=env.get("API_URL", "http://127.0.0.1:8000").rstrip("/"),
            api_key=key,
            outbox=outbox_path(),
            batch_size=max(1, min(500, int(env.get("RELAY_BATCH_SIZE", "500")))),
            poll_interval=float(env.get("RELAY_POLL_INTERVAL", "1.0")),
            timeout=float(env.get("RELAY_TIMEOUT", "10")),
            base_backoff=float(env.get("RELAY_BASE_BACKOFF", "1.0")),
            max_backoff=float(env.get("RELAY_MAX_BACKOFF", "60")),
            max_age_days=float(env.get("RELAY_MAX_AGE_DAYS", "30")),
            keep_delivered_days=float(env.get("RELAY_KEEP_DELIVERED_DAYS", "7")),
            blocked_probe_interval=float(env.get("RELAY_BLOCKED_PROBE_INTERVAL", "300")),
        )
    except ValueError as error:
        raise SystemExit(f"outbox relay: malformed RELAY_* setting ({error})") from error


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, capped.

    Args:
        failures: Consecutive failures so far (1 for the first).
        base: Delay after the first failure, before jitter.
        cap: Largest delay.
        rng: Random source.

    Returns:
        Seconds to wait.
    """
    delay = min(cap, base * 2 ** max(0, failures - 1))
    return delay / 2 + rng.uniform(0, delay / 2)


def _check_outbox(path: Path, *, create: bool) -> list[str]:
    """Look at an existing outbox file before anything writes to it; returns foreign table names.

    A relay that opened a damaged or wrong file used to run and count nothing, so every way a
    file can be unusable is turned into OutboxUnusable with a message an operator can act on.
    """
    if path.is_dir():
        raise OutboxUnusable(f"outbox {path} is a directory, not a SQLite file (check OUTBOX_PATH)")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as error:
        raise OutboxUnusable(
            f"outbox {path} cannot be read ({error.strerror}); check its owner and mode"
        ) from error
    if header and header != b"SQLite format 3\x00":
        raise OutboxUnusable(f"outbox {path} is not a SQLite database (check OUTBOX_PATH)")
    try:
        probe = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=5.0)
    except sqlite3.Error as error:
        raise OutboxUnusable(f"outbox {path} cannot be opened for writing ({error})") from error
    try:
        verdict = [str(row[0]) for row in probe.execute("PRAGMA quick_check")]
        if verdict != ["ok"]:
            raise OutboxUnusable(f"outbox {path} is damaged (SQLite quick_check: {verdict[0][:120]})")
        tables = sorted(
            str(row[0]) for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        )
        if "outbox" in tables:
            columns = {str(row[1]) for row in probe.execute("PRAGMA table_info(outbox)")}
            missing = sorted(OUTBOX_COLUMNS - columns)
            if missing:
                raise OutboxUnusable(
                    f"outbox {path} has an outbox table without the columns {', '.join(missing)} "
                    "(not a file written by actions/outbox.py)"
                )
        elif tables or not create:
            found = ", ".join(tables[:5]) or "none"
            raise OutboxUnusable(
                f"outbox {path} has no outbox table (tables: {found}); "
                "does OUTBOX_PATH point at another database?"
            )
        return [name for name in tables if name not in OWN_TABLES]
    except sqlite3.Error as error:
        raise OutboxUnusable(f"outbox {path} is damaged or unreadable ({error})") from error
    finally:
        probe.close()


def open_outbox(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open the outbox for the relay or an operator command, after checking that it is one.

    Args:
        path: The outbox file (OUTBOX_PATH).
        create: Create a missing or empty file (the relay may start before the first event is
            written); the operator commands pass False and never create a file.

    Returns:
        A connection as actions.outbox.connect() makes it, with the relay_state table present.

    Raises:
        OutboxUnusable: The file is missing (without ``create``), a directory, unreadable, not
            SQLite, damaged, or lacks the outbox table or its columns.
    """
    foreign: list[str] = []
    try:
        exists = path.exists()
    except OSError as error:  # e.g. a parent directory without search permission
        raise OutboxUnusable(f"outbox {path} cannot be reached ({error.strerror})") from error
    if exists:
        foreign = _check_outbox(path, create=create)
    elif not create:
        raise OutboxUnusable(f"outbox {path} does not exist (is OUTBOX_PATH the one the action server uses?)")
    try:
        db = connect(path)
        db.executescript(STATE_SCHEMA)
    except (OSError, sqlite3.Error) as error:
        raise OutboxUnusable(f"outbox {path} cannot be opened ({error})") from error
    if foreign:
        log.warning(
            "outbox relay: %s also holds other tables (%s); is OUTBOX_PATH right?", path, ", ".join(foreign[:5])
        )
    return db


@dataclass(frozen=True)
class RelayState:
    """The health signal: what the relay last concluded about its configuration."""

    status: str
    reason: str | None
    since: float
    checked_at: float


def read_state(db: sqlite3.Connection) -> RelayState | None:
    """The relay_state row, or None when no relay has run on this outbox yet."""
    row = db.execute("SELECT status, reason, since, checked_at FROM relay_state WHERE id = 1").fetchone()
    if row is None:
        return None
    return RelayState(str(row[0]), None if row[1] is None else str(row[1]), float(row[2]), float(row[3]))


def _public_url(url: str) -> str:
    """The URL without user:password, so a log or the state table never holds a credential."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


Row = tuple[int, str, str]


class Relay:
    """Moves rows from the outbox to the API. One relay per outbox file."""

    def __init__(
        self,
        settings: RelaySettings,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Open and check the outbox, and prepare an HTTP session with the ingest key.

        Raises:
            OutboxUnusable: When the outbox file is broken (see open_outbox).
        """
        self.settings = settings
        self.db: sqlite3.Connection = open_outbox(settings.outbox, create=True)
        self.http = session or requests.Session()
        self.http.headers.update({"X-API-Key": settings.api_key, "Content-Type": "application/json"})
        self.clock = clock
        self.url = f"{settings.api_url}/api/v1/events"
        self._logged_block: str | None = None
        self.state = read_state(self.db)
        if self.state is None:
            now = clock()
            self.db.execute(
                "INSERT OR IGNORE INTO relay_state (id, status, reason, since, checked_at) "
                "VALUES (1, 'ok', NULL, ?, ?)",
                (now, now),
            )
            self.state = read_state(self.db)

    @property
    def blocked(self) -> bool:
        """True while the last verdict on the configuration was a 401, 403 or 404."""
        return self.state is not None and self.state.status == "blocked"

    def pending(self) -> list[Row]:
        """The oldest pending rows, at most one batch."""
        cursor = self.db.execute(
            "SELECT seq, event_id, payload FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?",
            (self.settings.batch_size,),
        )
        return list(cursor.fetchall())

    def _set_state(self, seqs: Sequence[int], state: str, error: str | None = None) -> None:
        now = self.clock()
        self.db.executemany(
            "UPDATE outbox SET state = ?, delivered_at = ?, last_error = ? WHERE seq = ?",
            [(state, now if state == "delivered" else None, error, seq) for seq in seqs],
        )

    def _count_attempt(self, seqs: Sequence[int], error: str) -> None:
        self.db.executemany(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
            [(error, seq) for seq in seqs],
        )

    def _record_state(self, status: str, reason: str | None) -> None:
        """Write the health signal; ``since`` moves only when the status or reason changes, so
        a block that outlives a restart keeps its start time."""
        now = self.clock()
        changed = self.state is None or (self.state.status, self.state.reason) != (status, reason)
        since = now if changed or self.state is None else self.state.since
        self.db.execute(
            "INSERT INTO relay_state (id, status, reason, since, checked_at) VALUES (1, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET status = excluded.status, reason = excluded.reason, "
            "since = excluded.since, checked_at = excluded.checked_at",
            (status, reason, since, now),
        )
        self.state = RelayState(status, reason, since, now)

    def _accepted(self) -> None:
        """The API answered the configuration with something other than 401/403/404: not blocked."""
        if self.blocked:
            previous = self.state.reason if self.state else None
            self._record_state("ok", None)
            self._logged_block = None
            log.warning("outbox relay: delivery resumed; the API accepts the relay again (was: %s)", previous)

    def _block(self, status: int) -> None:
        """Record the block, and log it once per reason, with the fix and no event contents."""
        reason = f"HTTP {status} from {_public_url(self.url)}: {BLOCKING[status]}"
        self._record_state("blocked", reason)
        if reason != self._logged_block:  # once per process and reason, not on every probe
            self._logged_block = reason
            waiting = self.db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
            log.error(
                "outbox relay: delivery stopped: %s. %d events wait in the outbox; nothing is lost. "
                "Probing again every %.0f s.",
                reason,
                waiting,
                self.settings.blocked_probe_interval,
            )
        else:
            log.info("outbox relay: still blocked (HTTP %d)", status)

    def expire_old(self) -> int:
        """Dead-letter pending rows older than the maximum age; returns how many."""
        limit = self.clock() - self.settings.max_age_days * 86400
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'dead', last_error = 'expired' "
            "WHERE state = 'pending' AND created_at < ?",
            (limit,),
        )
        if cursor.rowcount:
            log.warning("outbox relay: %d events expired undelivered", cursor.rowcount)
        return int(cursor.rowcount)

    def purge_delivered(self) -> int:
        """Delete delivered rows older than the keep period; returns how many."""
        limit = self.clock() - self.settings.keep_delivered_days * 86400
        cursor = self.db.execute("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?", (limit,))
        return int(cursor.rowcount)

    def _post(self, rows: Sequence[Row]) -> int:
        body = "[" + ",".join(payload for _, _, payload in rows) + "]"
        try:
            response = self.http.post(self.url, data=body, timeout=self.settings.timeout)
        except requests.RequestException as error:
            self._count_attempt([seq for seq, _, _ in rows], type(error).__name__)
            raise TransientError(type(error).__name__) from error
        return response.status_code

    def _deliver(self, rows: Sequence[Row]) -> int:
        """Send rows and act on the answer; returns how many were delivered.

        Raises:
            Blocked: On 401, 403 or 404 (the rows stay pending).
            TransientError: On a network error, a 5xx or another status (the rows stay pending).
        """
        code = self._post(rows)
        seqs = [seq for seq, _, _ in rows]
        if code in BLOCKING:
            self._count_attempt(seqs, str(code))
            raise Blocked(code)
        if code in DELIVERED:
            self._accepted()
            self._set_state(seqs, "delivered")
            return len(rows)
        if code in (413, 422):
            self._accepted()
            if len(rows) == 1:
                self._count_attempt(seqs, str(code))
                self._set_state(seqs, "dead", str(code))
                reason = "too large" if code == 413 else "invalid"
                log.error(
                    "outbox relay: API refused event %s (%d, %s); dead-lettered", rows[0][1], code, reason
                )
                return 0
            if code == 422:  # one bad event spoils the whole call; find it
                return sum(self._deliver([row]) for row in rows)
            half = len(rows) // 2
            log.warning("outbox relay: API refused %d events as too large (413); sending two halves", len(rows))
            return self._deliver(rows[:half]) + self._deliver(rows[half:])
        self._count_attempt(seqs, str(code))
        raise TransientError(f"HTTP {code}")

    def run_once(self) -> int:
        """Send one batch.

        Returns:
            Rows delivered (0 when nothing was pending).

        Raises:
            Blocked: When the API refused the relay's key or URL (401, 403, 404).
            TransientError: When the API could not take the batch now.
        """
        rows = self.pending()
        if not rows:
            return 0
        try:
            return self._deliver(rows)
        except Blocked as block:
            self._block(block.status)
            raise

    def run(self, stop: threading.Event, drain: bool = False) -> int:
        """Deliver until ``stop`` is set (or, with ``drain``, until the outbox is empty).

        Returns:
            0, or 1 when ``drain`` ends on a block (the outbox cannot be emptied).
        """
        rng = random.Random()
        failures = 0
        last_housekeeping = 0.0
        while not stop.is_set():
            if time.monotonic() - last_housekeeping > 600:
                self.expire_old()
                self.purge_delivered()
                last_housekeeping = time.monotonic()
            try:
                delivered = self.run_once()
            except Blocked:
                if drain:
                    return 1
                stop.wait(self.settings.blocked_probe_interval)
                continue
            except TransientError as error:
                failures += 1
                if self.blocked:  # still no verdict on the fix; wait for the next probe
                    log.info(
                        "outbox relay: probe failed (%s); next probe in %.0f s",
                        error,
                        self.settings.blocked_probe_interval,
                    )
                    stop.wait(self.settings.blocked_probe_interval)
                    continue
                delay = backoff_delay(failures, self.settings.base_backoff, self.settings.max_backoff, rng)
                log.warning("outbox relay: API unavailable (%s); retry in %.1f s", error, delay)
                stop.wait(delay)
                continue
            if failures:
                log.info("outbox relay: API reachable again after %d failed attempts", failures)
            failures = 0
            if delivered:
                log.info("outbox relay: delivered %d events", delivered)
            elif drain:
                return 0
            else:
                stop.wait(self.settings.poll_interval)
        return 0

    def close(self) -> None:
        """Close the database and the HTTP session."""
        self.db.close()
        self.http.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actions.outbox_relay",
        description="Deliver the outbox to the statistics API (no command), or inspect it.",
    )
    parser.add_argument("--drain", action="store_true", help="exit once the outbox is empty (1 if blocked)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("status", help="print the relay's health; exit 0 ok, 1 blocked, 2 outbox unusable")
    dead = commands.add_parser("dead", help="dead-lettered events")
    dead_commands = dead.add_subparsers(dest="dead_command", required=True)
    dead_commands.add_parser("list", help="list dead events (id, reason, attempts, age, kind, day)")
    requeue = dead_commands.add_parser("requeue", help="make dead events pending again, with attempts reset")
    which = requeue.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every dead event")
    which.add_argument("event_ids", nargs="*", default=[], metavar="EVENT_ID")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the relay until SIGTERM or SIGINT, or run one operator command.

    Returns:
        The exit code: 0; 1 when ``--drain`` ends blocked; 2 when the outbox is unusable.
    """
    args = _parser().parse_args(argv)
    if args.command is not None:
        from actions import outbox_admin  # the commands need neither the key nor an HTTP client

        return outbox_admin.run_command(args, outbox_path())
    logging.basicConfig(
        level=os.environ.get("RELAY_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(message)s",
    )
    settings = load_settings()  # a missing or refused key exits here, with the secrets line as its message
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        relay = Relay(settings)
    except OutboxUnusable as problem:
        log.error("outbox relay: not started: %s", problem)
        return 2
    log.info("outbox relay: %s", summary([ingest_key_check()]))
    log.info("outbox relay: sending %s to %s", settings.outbox.name, _public_url(relay.url))
    try:
        return relay.run(stop, drain=args.drain)
    except sqlite3.Error as error:
        log.error("outbox relay: stopped: outbox %s failed (%s)", settings.outbox, error)
        return 2
    finally:
        relay.close()


if __name__ == "__main__":
    sys.exit(main())
