"""`python -m actions.outbox_relay dead list | dead requeue | status` as real subprocesses, on dead
letters made by the relay against the real API."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import time

import pytest

from actions import outbox
from actions.outbox_relay import Relay, RelaySettings
from knowledge.clock import today as clock_today
from tests.outbox.outbox_support import REPO_ROOT, relay_command, relay_env, rows

pytestmark = pytest.mark.rasa_env

SECRET_FIELDS = ("geldzaken", "geldwijzerwinkel", "simpelveld")  # payload values a listing must not show


def _record(kind: str = "answered", **fields) -> str:
    values = {"topic": "email", "target": None, "gemeente": "kerkrade", "channel": "web"}
    values.update(fields)
    outbox.record_event(kind, **values)
    return rows(outbox.outbox_path())[-1]["event_id"]


def _deliver(outbox_file, api) -> int:
    relay = Relay(RelaySettings(api_url=api.url, api_key=api.ingest_key, outbox=outbox_file, timeout=5.0))
    try:
        return relay.run_once()
    finally:
        relay.close()


@pytest.fixture
def api_content(tmp_path):
    """The API's own copy of the content, without the topic geldzaken: as when the action server's content was
    deployed before the API's."""
    content = tmp_path / "api-knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", content, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (content / "topics" / "geldzaken.yml").unlink()
    return content


@pytest.fixture
def dead_letters(outbox_file, api_process, api_content):
    """Two events the API refuses (a topic its content lacks) between two it takes, after the relay ran."""
    api_process.extra_env["API_CONTENT_DIR"] = str(api_content)
    api_process.start()
    _record()
    first = _record("referred", topic="geldzaken", target="geldwijzerwinkel", gemeente="simpelveld")
    second = _record("answered", topic="geldzaken", gemeente="simpelveld")
    _record()
    assert _deliver(outbox_file, api_process) == 2
    return first, second


def _env(outbox_file):
    return relay_env(outbox_file, "http://127.0.0.1:9", "unused")


def test_dead_list_shows_id_reason_attempts_age_kind_and_day_only(outbox_file, dead_letters):
    done = relay_command(_env(outbox_file), "dead", "list")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].split() == ["event_id", "reason", "attempts", "age", "kind", "day"]
    today = clock_today().isoformat()
    assert re.fullmatch(rf"{dead_letters[0]}\s+422\s+1\s+0m\s+referred\s+{today}", lines[1])
    assert re.fullmatch(rf"{dead_letters[1]}\s+422\s+1\s+0m\s+answered\s+{today}", lines[2])
    assert lines[3] == "2 dead events"
    assert not any(value in done.stdout for value in SECRET_FIELDS)


def test_requeue_by_id_resets_attempts_and_the_fixed_event_arrives(
    outbox_file, dead_letters, api_process, api_content
):
    first, second = dead_letters
    # the fix: the API's content gets the topic; it reads the content again within 2 s, without a restart
    shutil.copy(REPO_ROOT / "knowledge" / "topics" / "geldzaken.yml", api_content / "topics" / "geldzaken.yml")
    time.sleep(2.5)

    done = relay_command(_env(outbox_file), "dead", "requeue", first)

    assert (done.returncode, done.stdout) == (0, "requeued 1 event\n")
    [row] = rows(outbox_file, f"event_id = '{first}'")
    assert (row["state"], row["attempts"], row["last_error"]) == ("pending", 0, None)
    assert rows(outbox_file, f"event_id = '{second}'")[0]["state"] == "dead"
    assert _deliver(outbox_file, api_process) == 1
    assert first in api_process.event_ids()
    assert rows(outbox_file, f"event_id = '{first}'")[0]["state"] == "delivered"


def test_requeue_all(outbox_file, dead_letters):
    done = relay_command(_env(outbox_file), "dead", "requeue", "--all")

    assert (done.returncode, done.stdout) == (0, "requeued 2 events\n")
    assert rows(outbox_file, "state = 'dead'") == []
    assert {row["attempts"] for row in rows(outbox_file, "state = 'pending'")} == {0}
    again = relay_command(_env(outbox_file), "dead", "requeue", "--all")
    assert (again.returncode, again.stdout) == (0, "requeued 0 events\n")


def test_requeue_names_what_it_could_not_requeue(outbox_file, dead_letters):
    delivered = rows(outbox_file, "state = 'delivered'")[0]["event_id"]
    unknown = "00000000-0000-4000-8000-000000000000"

    done = relay_command(_env(outbox_file), "dead", "requeue", dead_letters[0], delivered, unknown)

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"not requeued: {delivered} (not dead but delivered)",
        f"not requeued: {unknown} (unknown event id)",
        "requeued 1 event",
    ]
    assert rows(outbox_file, f"event_id = '{dead_letters[0]}'")[0]["state"] == "pending"
    assert rows(outbox_file, f"event_id = '{delivered}'")[0]["state"] == "delivered"


def test_requeue_warns_that_late_events_cannot_succeed(outbox_file):
    today = clock_today()
    late = _record(today=today - dt.timedelta(days=10))
    recent = _record(today=today - dt.timedelta(days=6))
    connection = sqlite3.connect(str(outbox_file))
    connection.execute("UPDATE outbox SET state = 'dead', last_error = '422', attempts = 3")
    connection.commit()
    connection.close()

    done = relay_command(_env(outbox_file), "dead", "requeue", late, recent)

    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "requeued 2 events"
    cutoff = (today - dt.timedelta(days=7)).isoformat()
    assert done.stdout.splitlines()[1].startswith(f"note: 1 of them have a day before {cutoff}")
    assert "refuses events more than 7 days old (422)" in done.stdout


def test_empty_dead_list_and_status_before_any_relay_ran(outbox_file):
    _record()

    listing = relay_command(_env(outbox_file), "dead", "list")
    status = relay_command(_env(outbox_file), "status")

    assert (listing.returncode, listing.stdout) == (0, "no dead events\n")
    assert status.returncode == 0
    assert status.stdout.splitlines()[1:] == [
        "relay: ok (no relay has run on this outbox yet)",
        "events: 1 pending (oldest 0m), 0 dead, 0 delivered",
    ]
