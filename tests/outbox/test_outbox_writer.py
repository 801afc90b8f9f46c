"""actions/outbox.py: record_event writes one valid row fast, and never raises."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from actions import outbox
from knowledge.reach import channel_for
from tests.outbox.outbox_support import rows

pytestmark = pytest.mark.rasa_env


def test_event_is_written_with_exactly_the_api_fields(outbox_file):
    outbox.record_event(
        "referred",
        topic="toeslagen",
        target="belastingtelefoon",
        gemeente="brunssum",
        channel="telegram",
        today=dt.date(2026, 3, 2),
    )

    [row] = rows(outbox_file)
    payload = json.loads(row["payload"])
    assert set(payload) == {"event_id", "day", "kind", "topic", "target", "gemeente", "channel"}
    assert payload["day"] == "2026-03-02"
    assert payload["kind"] == "referred"
    assert payload["event_id"] == row["event_id"]
    assert row["state"] == "pending"


def test_feedback_carries_helpful(outbox_file):
    outbox.record_event("feedback", topic="email", target=None, gemeente=None, channel="web", helpful=False)
    [row] = rows(outbox_file)
    assert json.loads(row["payload"])["helpful"] is False


def test_day_defaults_to_today_in_amsterdam(outbox_file):
    outbox.record_event("answered", topic="email", target=None, gemeente=None, channel="rest")
    [row] = rows(outbox_file)
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    assert json.loads(row["payload"])["day"] in {
        today.isoformat(),
        (today + dt.timedelta(days=1)).isoformat(),  # the test may straddle midnight
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "clicked"}, "kind"),
        ({"channel": "email"}, "channel"),
        ({"gemeente": "heerlen"}, "gemeente"),
        ({"target": "Geen Snake Case"}, "target"),
        ({"topic": "x" * 80}, "topic"),
        ({"helpful": True}, "helpful"),
        ({"kind": "feedback"}, "helpful"),
    ],
)
def test_invalid_event_is_dropped_with_a_warning_naming_only_the_field(outbox_file, caplog, kwargs, field):
    values = {"kind": "answered", "topic": "email", "target": None, "gemeente": None}
    values.update({"channel": "web", "helpful": None})
    values.update(kwargs)
    kind = values.pop("kind")

    with caplog.at_level(logging.WARNING, logger="actions.outbox"):
        outbox.record_event(kind, **values)

    assert rows(outbox_file) == []
    assert caplog.messages == [f"outbox: event not recorded, invalid field {field}"]


def test_never_raises_when_the_outbox_cannot_be_opened(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("OUTBOX_PATH", str(blocker / "outbox.sqlite3"))
    outbox.reset_connection()

    with caplog.at_level(logging.WARNING, logger="actions.outbox"):
        outbox.record_event("answered", topic="email", target=None, gemeente=None, channel="web")

    assert len(caplog.messages) == 1
    assert "email" not in caplog.messages[0]
    outbox.reset_connection()


def test_concurrent_writers_lose_nothing(outbox_file):
    def write(_: int) -> None:
        for _ in range(100):
            outbox.record_event("answered", topic="email", target=None, gemeente=None, channel="web")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    found = rows(outbox_file)
    assert len(found) == 800
    assert len({row["event_id"] for row in found}) == 800


def test_writing_is_fast(outbox_file):
    outbox.record_event("answered", topic="email", target=None, gemeente=None, channel="web")
    durations = []
    for _ in range(500):
        start = time.perf_counter()
        outbox.record_event("answered", topic="email", target=None, gemeente=None, channel="web")
        durations.append(time.perf_counter() - start)
    durations.sort()
    assert durations[len(durations) // 2] < 0.005
    assert durations[int(len(durations) * 0.99)] < 0.05


def test_outbox_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("OUTBOX_PATH", raising=False)
    assert outbox.outbox_path() == outbox.DEFAULT_PATH
    assert outbox.DEFAULT_PATH.parent.name == "var"
    monkeypatch.setenv("OUTBOX_PATH", "var/other.sqlite3")
    assert outbox.outbox_path() == outbox.DEFAULT_PATH.parent / "other.sqlite3"


@pytest.mark.parametrize(
    ("name", "channel"),
    [
        ("rest", "rest"),
        ("socketio", "web"),
        ("webchat", "web"),
        ("telegram", "telegram"),
        ("whatsapp", "whatsapp"),
        ("staff", "staff"),
        ("triage", "staff"),
        ("cmdline", "rest"),
        (None, "rest"),
        ("", "rest"),
    ],
)
def test_channel_for(name, channel):
    assert channel_for(name) == channel
