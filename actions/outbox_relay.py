"""Outbox relay: ``python -m actions.outbox_relay``. Sends pending outbox rows to the statistics
API in batches, and marks them delivered only after a 200/201.

Delivery is at least once; the API's idempotency on event_id makes it exactly once in effect.
Network errors and 5xx back off exponentially with jitter; a 422 moves the offending row to the
dead-letter state instead of retrying it forever. Logs hold counts and event ids, never payloads.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import requests

from actions.outbox import connect, outbox_path

log = logging.getLogger("actions.outbox_relay")

DELIVERED = (200, 201)


class TransientError(Exception):
    """The batch could not be delivered now; try again after a pause."""


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


def load_settings(environ: dict[str, str] | None = None) -> RelaySettings:
    """Build settings from the environment; a missing ingest key stops the relay at start-up.

    Args:
        environ: Variables to read (default: ``os.environ``).

    Returns:
        The settings.

    Raises:
        SystemExit: When API_INGEST_KEY is unset or a number is malformed.
    """
    env = dict(os.environ if environ is None else environ)
    key = env.get("API_INGEST_KEY", "").strip()
    if not key:
        raise SystemExit("outbox relay: API_INGEST_KEY is not set (see .env.example)")
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


Row = tuple[int, str, str]


class Relay:
    """Moves rows from the outbox to the API. One relay per outbox file."""

    def __init__(
        self,
        settings: RelaySettings,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Open the outbox and prepare an HTTP session with the ingest key."""
        self.settings = settings
        self.db: sqlite3.Connection = connect(settings.outbox)
        self.http = session or requests.Session()
        self.http.headers.update({"X-API-Key": settings.api_key, "Content-Type": "application/json"})
        self.clock = clock
        self.url = f"{settings.api_url}/api/v1/events"

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

    def _deliver_one_by_one(self, rows: Sequence[Row]) -> int:
        delivered = 0
        for row in rows:
            code = self._post([row])
            if code in DELIVERED:
                self._set_state([row[0]], "delivered")
                delivered += 1
            elif code == 422:
                self._set_state([row[0]], "dead", "422")
                log.error("outbox relay: API refused event %s (422); dead-lettered", row[1])
            else:
                self._count_attempt([row[0]], str(code))
                raise TransientError(f"HTTP {code}")
        return delivered

    def run_once(self) -> int:
        """Send one batch.

        Returns:
            Rows delivered (0 when nothing was pending).

        Raises:
            TransientError: When the API could not take the batch now.
        """
        rows = self.pending()
        if not rows:
            return 0
        code = self._post(rows)
        if code in DELIVERED:
            self._set_state([seq for seq, _, _ in rows], "delivered")
            return len(rows)
        if code == 422:
            return self._deliver_one_by_one(rows)
        self._count_attempt([seq for seq, _, _ in rows], str(code))
        if code in (401, 403):
            log.error("outbox relay: the API refused the ingest key (HTTP %d)", code)
        raise TransientError(f"HTTP {code}")

    def run(self, stop: threading.Event, drain: bool = False) -> None:
        """Deliver until ``stop`` is set (or, with ``drain``, until the outbox is empty)."""
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
            except TransientError as error:
                failures += 1
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
                return
            else:
                stop.wait(self.settings.poll_interval)

    def close(self) -> None:
        """Close the database and the HTTP session."""
        self.db.close()
        self.http.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the relay until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m actions.outbox_relay", description=__doc__)
    parser.add_argument("--drain", action="store_true", help="exit once the outbox is empty")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("RELAY_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(message)s",
    )
    settings = load_settings()
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    relay = Relay(settings)
    log.info("outbox relay: sending %s to %s", settings.outbox.name, relay.url)
    try:
        relay.run(stop, drain=args.drain)
    finally:
        relay.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
