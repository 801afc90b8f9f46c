"""Retention job for the SQL tracker store: ``python -m actions.retention``.

Rasa's SQL tracker store keeps every event for ever and leaves ``events.timestamp`` unindexed. This job creates
that index (once) and deletes all events of conversations whose *last* event is older than
``TRACKER_RETENTION_DAYS`` (default 30), so an idle conversation disappears as a whole and an active one is
never cut in half. It reads the same ``TRACKER_DB_*`` variables as ``endpoints.sql.yml`` and does not import
Rasa. Logs carry counts only, never sender ids or text.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

log = logging.getLogger("actions.retention")

DEFAULT_RETENTION_DAYS = 30
INDEX_NAME = "ix_events_timestamp"
SECONDS_PER_DAY = 86_400


class TrackerTableMissing(RuntimeError):
    """The database has no Rasa ``events`` table (wrong database, or Rasa never started on it)."""


@dataclass(frozen=True)
class RetentionSettings:
    """Where the tracker store is and how long conversations may stay there."""

    database_url: URL
    days: int = DEFAULT_RETENTION_DAYS
    schema: str | None = None
    batch_size: int = 500


@dataclass(frozen=True)
class PurgeResult:
    """What one run deleted (or, in a dry run, would delete)."""

    conversations: int
    events: int
    cutoff: float


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"retention: {name} must be a whole number of days, got {raw!r}") from None
    if value < 1:
        raise SystemExit(f"retention: {name} must be at least 1, got {value}")
    return value


def database_url(env: Mapping[str, str]) -> URL:
    """The tracker database URL, built from the variables endpoints.sql.yml uses.

    Args:
        env: Environment variables. ``TRACKER_DB_HOST`` is required; it may also hold a complete
            SQLAlchemy URL (as Rasa allows in the ``url`` key).

    Returns:
        A SQLAlchemy URL (PostgreSQL through psycopg2, as Rasa's SQL tracker store uses).

    Raises:
        SystemExit: When TRACKER_DB_HOST is unset or the port is not a number.
    """
    host = env.get("TRACKER_DB_HOST", "").strip()
    if not host:
        raise SystemExit("retention: TRACKER_DB_HOST is not set (see endpoints.sql.yml and docs/operations.md)")
    if "://" in host:
        return sa.engine.make_url(host)
    port_raw = env.get("TRACKER_DB_PORT", "5432")
    if not port_raw.isdigit():
        raise SystemExit(f"retention: TRACKER_DB_PORT must be a port number, got {port_raw!r}")
    return URL.create(
        "postgresql",
        username=env.get("TRACKER_DB_USER") or None,
        password=env.get("TRACKER_DB_PASSWORD") or None,
        host=host,
        port=int(port_raw),
        database=env.get("TRACKER_DB_NAME", "wegwijzer"),
    )


def load_settings(environ: Mapping[str, str] | None = None, days: int | None = None) -> RetentionSettings:
    """Read the settings from the environment; bad values stop the job with a precise message.

    Args:
        environ: Variables to read (default: ``os.environ``).
        days: Overrides ``TRACKER_RETENTION_DAYS`` (from the command line).

    Returns:
        The settings.
    """
    env = os.environ if environ is None else environ
    if days is None:
        raw = env.get("TRACKER_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))
        days = _positive_int("TRACKER_RETENTION_DAYS", raw)
    else:
        days = _positive_int("--days", str(days))
    return RetentionSettings(
        database_url=database_url(env),
        days=days,
        schema=env.get("POSTGRESQL_SCHEMA") or None,
    )


def _events_table(schema: str | None) -> sa.TableClause:
    return sa.table("events", sa.column("sender_id"), sa.column("timestamp"), schema=schema)


def _qualified(connection: Connection, name: str, schema: str | None) -> str:
    preparer = connection.dialect.identifier_preparer
    return f"{preparer.quote_schema(schema)}.{preparer.quote(name)}" if schema else preparer.quote(name)


def ensure_timestamp_index(engine: Engine, schema: str | None = None) -> bool:
    """Create the index on ``events.timestamp`` when it is missing (concurrently on PostgreSQL).

    Args:
        engine: Engine of the tracker database.
        schema: PostgreSQL schema of the events table (Rasa's ``POSTGRESQL_SCHEMA``), or None.

    Returns:
        True when the index was created by this call.
    """
    inspector = sa.inspect(engine)
    existing = {index["name"] for index in inspector.get_indexes("events", schema=schema)}
    postgres = engine.dialect.name == "postgresql"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        index = _qualified(connection, INDEX_NAME, schema)
        if INDEX_NAME in existing and postgres:
            # A CREATE INDEX CONCURRENTLY that was interrupted leaves an invalid index behind: rebuild it.
            valid = connection.execute(
                sa.text("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(:name)"),
                {"name": index},
            ).scalar()
            if valid:
                return False
            connection.execute(sa.text(f"DROP INDEX CONCURRENTLY IF EXISTS {index}"))
        elif INDEX_NAME in existing:
            return False
        table = _qualified(connection, "events", schema)
        concurrently = "CONCURRENTLY " if postgres else ""
        name = connection.dialect.identifier_preparer.quote(INDEX_NAME)
        connection.execute(sa.text(f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} (timestamp)"))
    return True


def purge(
    engine: Engine, days: int, *, schema: str | None = None, batch_size: int = 500, dry_run: bool = False,
    now: float | None = None,
) -> PurgeResult:  # fmt: skip
    """Delete every event of the conversations whose last event is older than ``days`` days.

    Works in batches of ``batch_size`` conversations, one short transaction each, so Rasa's own writes are
    never blocked for long. A conversation that receives a new event while the job runs is kept: the delete
    re-checks the newest timestamp of each conversation in the same statement.

    Args:
        engine: Engine of the tracker database.
        days: Retention period in days.
        schema: PostgreSQL schema of the events table, or None.
        batch_size: Conversations per transaction.
        dry_run: Count only; delete nothing.
        now: The current time as an epoch float (for tests); default ``time.time()``.

    Returns:
        How many conversations and events were deleted (or would be, in a dry run).
    """
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    events = _events_table(schema)
    last_event = sa.func.max(events.c.timestamp)
    stale = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(last_event < cutoff)
    if dry_run:
        with engine.connect() as connection:
            senders = sa.select(sa.func.count()).select_from(stale.subquery())
            conversations = int(connection.execute(senders).scalar() or 0)
            rows = sa.select(sa.func.count()).where(events.c.sender_id.in_(stale))
            return PurgeResult(conversations, int(connection.execute(rows).scalar() or 0), cutoff)
    conversations = deleted = 0
    while True:
        with engine.begin() as connection:
            batch = list(connection.execute(stale.limit(batch_size)).scalars())
            if not batch:
                break
            still_stale = (
                sa.select(events.c.sender_id)
                .where(events.c.sender_id.in_(batch))
                .group_by(events.c.sender_id)
                .having(last_event < cutoff)
            )
            result = connection.execute(sa.delete(events).where(events.c.sender_id.in_(still_stale)))
            conversations += len(batch)
            deleted += max(result.rowcount or 0, 0)
        if len(batch) < batch_size:
            break
    return PurgeResult(conversations, deleted, cutoff)


def run_once(settings: RetentionSettings, *, dry_run: bool = False) -> PurgeResult:
    """Check the table, create the index, purge; log one line with the counts.

    Args:
        settings: Database and retention period.
        dry_run: Count only; neither the index nor any row is touched.

    Returns:
        The counts of this run.

    Raises:
        TrackerTableMissing: When the database has no Rasa events table.
    """
    engine = sa.create_engine(settings.database_url, pool_pre_ping=True)
    try:
        if not sa.inspect(engine).has_table("events", schema=settings.schema):
            where = f"schema {settings.schema!r} of " if settings.schema else ""
            raise TrackerTableMissing(
                f"retention: no 'events' table in {where}database {settings.database_url.database!r}; "
                "is this Rasa's SQL tracker store, and has Rasa started once?"
            )
        if not dry_run and ensure_timestamp_index(engine, settings.schema):
            log.info("retention: created index %s on events.timestamp", INDEX_NAME)
        result = purge(
            engine, settings.days, schema=settings.schema, batch_size=settings.batch_size, dry_run=dry_run
        )
    finally:
        engine.dispose()
    log.info(
        "retention: %s %d conversations (%d events) idle for more than %d days",
        "would delete" if dry_run else "deleted",
        result.conversations,
        result.events,
        settings.days,
    )
    return result


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m actions.retention",
        description="Delete tracker-store conversations idle for more than TRACKER_RETENTION_DAYS days.",
    )
    parser.add_argument("--days", type=int, help="override TRACKER_RETENTION_DAYS")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted; change nothing")
    parser.add_argument(
        "--every-hours",
        type=float,
        default=0.0,
        help="keep running and purge every N hours (for a container); default: run once and exit",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job once, or every ``--every-hours`` hours until SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = _parse_args(argv)
    settings = load_settings(days=args.days)
    if args.every_hours <= 0:
        try:
            run_once(settings, dry_run=args.dry_run)
        except TrackerTableMissing as exc:
            log.error("%s", exc)
            return 2
        return 0
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop.is_set():
        try:
            run_once(settings, dry_run=args.dry_run)
        except TrackerTableMissing as exc:
            log.warning("%s; retrying at the next interval", exc)
        except sa.exc.SQLAlchemyError as exc:
            # The exception text can hold SQL parameters (sender ids), so only its type is logged.
            log.error("retention: run failed (%s); retrying at the next interval", type(exc).__name__)
        stop.wait(args.every_hours * 3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
