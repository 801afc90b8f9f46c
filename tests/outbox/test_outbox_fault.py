"""Fault drill with real processes: the API is down while 200 conversations' worth of events are
written; after it comes back, every event arrives exactly once and no write was slowed down."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from actions import outbox
from tests.outbox.outbox_support import rows, wait_until

CONVERSATION = [
    ("conversation_started", {}),
    ("answered", {"topic": "digid_aanvragen"}),
    ("referred", {"topic": "digid_aanvragen", "target": "informatiepunt"}),
    ("not_understood", {}),
    ("feedback", {"topic": "digid_aanvragen", "helpful": True}),
]

pytestmark = pytest.mark.rasa_env


def _conversations(n: int) -> list[float]:
    durations = []
    for index in range(n):
        gemeente = ("kerkrade", "brunssum", "voerendaal", "simpelveld", None)[index % 5]
        for kind, fields in CONVERSATION:
            values = {"topic": None, "target": None, "gemeente": gemeente, "channel": "web"}
            values.update(fields)
            start = time.perf_counter()
            outbox.record_event(kind, **values)
            durations.append(time.perf_counter() - start)
    return durations


def test_api_down_for_a_while_loses_nothing_and_counts_once(outbox_file, api_process, relay_process):
    # arrange: API and relay up, a first few conversations delivered
    api_process.start()
    relay_process.start()
    _conversations(10)
    assert wait_until(lambda: len(api_process.event_ids()) == 50, timeout=30)

    # act: stop the API, write 200 conversations, let the relay fail a while, restart the API
    api_process.stop()
    durations = _conversations(200)
    assert wait_until(
        lambda: any(row["attempts"] >= 2 for row in rows(outbox_file, "state = 'pending'")),
        timeout=30,
    ), "the relay never retried while the API was down"
    assert len(rows(outbox_file, "state = 'pending'")) == 1000
    api_process.start()
    delivered = wait_until(lambda: not rows(outbox_file, "state = 'pending'"), timeout=60, interval=0.25)
    exit_code = relay_process.stop()

    # assert: everything arrived, exactly once, and writing never waited for the network
    assert delivered, relay_process.log.read_text()
    stored = Counter(api_process.event_ids())
    written = {row["event_id"] for row in rows(outbox_file)}
    assert len(written) == 1050
    assert set(stored) == written
    assert max(stored.values()) == 1
    assert {row["state"] for row in rows(outbox_file)} == {"delivered"}
    assert exit_code == 0
    durations.sort()
    assert durations[len(durations) // 2] < 0.005
    assert durations[-1] < 0.25
    log = relay_process.log.read_text()
    assert "retry in" in log
    assert "digid_aanvragen" not in log and "informatiepunt" not in log
