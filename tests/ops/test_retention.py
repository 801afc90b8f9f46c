"""The retention job against a real PostgreSQL tracker store written by Rasa's own SQLTrackerStore class.

Conversations are stored with back-dated event timestamps; the job runs as its real command line
(``python -m actions.retention``) and must delete exactly the conversations whose last event is too old.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.ci_support import require_module

require_module("rasa", "RASA ENVIRONMENT NEEDED: run with .venv-rasa/bin/python")

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from actions import retention  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400.0
_databases = itertools.count()


def tracker_env(cluster: Any, database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TRACKER_DB_HOST": "127.0.0.1",
        "TRACKER_DB_PORT": str(cluster.port),
        "TRACKER_DB_NAME": database,
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        **extra,
    }


def run_job(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actions.retention", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def conversation(sender: str, *days_ago: float, now: float) -> DialogueStateTracker:
    """A conversation with one turn (user, bot, listen) per entry of ``days_ago``."""
    events: list[Any] = []
    for age in days_ago:
        stamp = now - age * DAY
        events += [
            UserUttered("Ik ben mijn DigiD kwijt", {"name": "digid_problemen"}, timestamp=stamp),
            BotUttered("Dat is vervelend.", timestamp=stamp + 1),
            ActionExecuted("action_listen", timestamp=stamp + 2),
        ]
    return DialogueStateTracker.from_events(sender, events)


def event_counts(engine: sa.engine.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id"))
        return {sender: int(count) for sender, count in rows}


@pytest.fixture()
def tracker_db(pg_cluster: Any) -> Iterator[tuple[str, SQLTrackerStore, sa.engine.Engine]]:
    database = f"tracker_{next(_databases)}"
    pg_cluster.create_database(database)
    store = SQLTrackerStore(
        Domain.empty(), dialect="postgresql", host="127.0.0.1", port=pg_cluster.port, db=database,
        username="postgres",
    )  # fmt: skip
    engine = sa.create_engine(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/{database}")
    yield database, store, engine
    engine.dispose()
    store.engine.dispose()


def test_retention_deletes_only_conversations_whose_last_event_is_too_old(
    pg_cluster: Any, tracker_db: Any
) -> None:
    # arrange: four conversations through Rasa's own SQLTrackerStore, back-dated
    database, store, engine = tracker_db
    now = time.time()
    trackers = {
        "idle-40-days": conversation("idle-40-days", 45, 40, now=now),
        "idle-31-days": conversation("idle-31-days", 31, now=now),
        "recent": conversation("recent", 1, now=now),
        "old-but-active": conversation("old-but-active", 60, 2, now=now),
    }
    for tracker in trackers.values():
        asyncio.run(store.save(tracker))
    before = event_counts(engine)
    assert set(before) == set(trackers)

    # act
    result = run_job(tracker_env(pg_cluster, database))

    # assert
    assert result.returncode == 0, result.stderr
    after = event_counts(engine)
    assert set(after) == {"recent", "old-but-active"}
    assert after == {name: before[name] for name in after}
    assert "deleted 2 conversations" in result.stderr
    kept = asyncio.run(store.retrieve("old-but-active"))
    assert kept is not None
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["Ik ben mijn DigiD kwijt"] * 2
    assert asyncio.run(store.retrieve("idle-40-days")) is None


def test_retention_creates_the_timestamp_index_once(pg_cluster: Any, tracker_db: Any) -> None:
    database, store, engine = tracker_db
    asyncio.run(store.save(conversation("someone", 1, now=time.time())))
    assert retention.INDEX_NAME not in {i["name"] for i in sa.inspect(engine).get_indexes("events")}

    first = run_job(tracker_env(pg_cluster, database))
    second = run_job(tracker_env(pg_cluster, database))

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    indexes = {i["name"]: i for i in sa.inspect(engine).get_indexes("events")}
    assert indexes[retention.INDEX_NAME]["column_names"] == ["timestamp"]
    assert "created index" in first.stderr
    assert "created index" not in second.stderr
    assert "deleted 0 conversations" in second.stderr


def test_retention_days_come_from_the_environment(pg_cluster: Any, tracker_db: Any) -> None:
    database, store, engine = tracker_db
    now = time.time()
    asyncio.run(store.save(conversation("ten-days", 10, now=now)))
    asyncio.run(store.save(conversation("three-days", 3, now=now)))

    default = run_job(tracker_env(pg_cluster, database))
    assert set(event_counts(engine)) == {"ten-days", "three-days"}, default.stderr
    shorter = run_job(tracker_env(pg_cluster, database, TRACKER_RETENTION_DAYS="7"))

    assert shorter.returncode == 0, shorter.stderr
    assert set(event_counts(engine)) == {"three-days"}


def test_dry_run_counts_but_deletes_nothing(pg_cluster: Any, tracker_db: Any) -> None:
    database, store, engine = tracker_db
    now = time.time()
    asyncio.run(store.save(conversation("idle", 50, 40, now=now)))
    asyncio.run(store.save(conversation("recent", 1, now=now)))
    before = event_counts(engine)

    result = run_job(tracker_env(pg_cluster, database), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "would delete 1 conversations (6 events)" in result.stderr
    assert event_counts(engine) == before


def test_purge_deletes_in_batches_of_conversations(tracker_db: Any) -> None:
    _, store, engine = tracker_db
    now = time.time()
    for number in range(8):
        asyncio.run(store.save(conversation(f"idle-{number}", 40, now=now)))
    asyncio.run(store.save(conversation("recent", 1, now=now)))

    result = retention.purge(engine, 30, batch_size=3, now=now)

    assert (result.conversations, result.events) == (8, 24)
    assert set(event_counts(engine)) == {"recent"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TRACKER_RETENTION_DAYS": "0"}, "TRACKER_RETENTION_DAYS must be at least 1"),
        ({"TRACKER_RETENTION_DAYS": "dertig"}, "TRACKER_RETENTION_DAYS must be a whole number"),
        ({"TRACKER_DB_HOST": ""}, "TRACKER_DB_HOST is not set"),
        ({"TRACKER_DB_PORT": "vijf"}, "TRACKER_DB_PORT must be a port number"),
    ],
)
def test_bad_settings_stop_the_job_with_a_precise_message(
    pg_cluster: Any, variables: dict[str, str], message: str
) -> None:
    result = run_job(tracker_env(pg_cluster, "postgres", **variables))

    assert result.returncode != 0
    assert message in result.stderr


def test_a_database_without_rasa_events_is_refused(pg_cluster: Any) -> None:
    pg_cluster.create_database("not_a_tracker")

    result = run_job(tracker_env(pg_cluster, "not_a_tracker"))

    assert result.returncode == 2
    assert "no 'events' table" in result.stderr


def test_redis_tracker_store_from_endpoints_prod_expires_30_days_after_the_last_turn(
    redis_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # arrange: the production endpoints file, read by Rasa itself, against a real Redis
    import redis
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("REDIS_PORT", str(redis_port))
    monkeypatch.setenv("REDIS_PASSWORD", "")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:1/webhook")
    store = TrackerStore.create(
        read_endpoint_config(str(ROOT / "endpoints.prod.yml"), "tracker_store"), Domain.empty()
    )
    client = redis.Redis(host="127.0.0.1", port=redis_port, db=0)
    period = retention.DEFAULT_RETENTION_DAYS * DAY

    # act: a first turn, then the key ages, then a second turn
    asyncio.run(store.save(conversation("redis-resident", 0, now=time.time())))
    [key] = client.keys("wegwijzer:*")
    first_ttl = client.ttl(key)
    client.expire(key, 60)
    asyncio.run(store.save(conversation("redis-resident", 0, 0, now=time.time())))

    # assert: the expiry is the retention period, counted again from the last turn
    assert period - 60 <= first_ttl <= period
    assert period - 60 <= client.ttl(key) <= period


def test_retention_follows_rasas_postgresql_schema(pg_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # arrange: Rasa puts its events table in the schema named by POSTGRESQL_SCHEMA
    database = f"tracker_{next(_databases)}"
    pg_cluster.create_database(database)
    engine = sa.create_engine(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/{database}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA rasa"))
    monkeypatch.setenv("POSTGRESQL_SCHEMA", "rasa")
    store = SQLTrackerStore(
        Domain.empty(), dialect="postgresql", host="127.0.0.1", port=pg_cluster.port, db=database,
        username="postgres",
    )  # fmt: skip
    now = time.time()
    asyncio.run(store.save(conversation("idle", 40, now=now)))
    asyncio.run(store.save(conversation("recent", 1, now=now)))

    # act
    result = run_job(tracker_env(pg_cluster, database, POSTGRESQL_SCHEMA="rasa"))

    # assert
    assert result.returncode == 0, result.stderr
    with engine.connect() as connection:
        senders = {s for (s,) in connection.execute(sa.text("SELECT DISTINCT sender_id FROM rasa.events"))}
        index = connection.execute(
            sa.text("SELECT 1 FROM pg_indexes WHERE schemaname = 'rasa' AND indexname = :name"),
            {"name": retention.INDEX_NAME},
        ).scalar()
    assert senders == {"recent"}
    assert index == 1
    store.engine.dispose()
    engine.dispose()
