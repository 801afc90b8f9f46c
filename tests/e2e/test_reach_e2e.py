"""Chat over the REST webhook; the anonymous events reach the statistics API exactly once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx

CONVERSATIONS = 12


def _db_counts(stack) -> dict[tuple[str, str | None, str | None], int]:
    path = Path(stack.env["API_DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT kind, topic, gemeente, COUNT(*) FROM event GROUP BY kind, topic, gemeente")
        return {(kind, topic, gemeente): n for kind, topic, gemeente, n in rows}


def _wait_for(stack, kind: str, expected: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    counts: dict = {}
    while time.monotonic() < deadline:
        counts = _db_counts(stack)
        if sum(n for (k, _, _), n in counts.items() if k == kind) >= expected:
            return counts
        time.sleep(0.5)
    raise AssertionError(f"only {counts} arrived within {timeout} s")


def test_conversations_show_up_in_the_statistics(full_stack):
    with httpx.Client(base_url=full_stack.rasa_url, timeout=30) as rasa:
        for index in range(CONVERSATIONS):
            sender = f"e2e-{index}"
            for message in ("hallo", "wat is phishing", "/affirm", "waar is het informatiepunt", "Bocholtz"):
                reply = rasa.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
                assert reply.status_code == 200 and reply.json()

    counts = _wait_for(full_stack, "referred", CONVERSATIONS * 2)
    assert sum(n for (k, _, _), n in counts.items() if k == "conversation_started") == CONVERSATIONS
    assert counts[("answered", "online_veiligheid", None)] == CONVERSATIONS
    assert counts[("feedback", "online_veiligheid", None)] == CONVERSATIONS
    assert counts[("referred", "informatiepunt", "simpelveld")] == CONVERSATIONS

    headers = {"X-API-Key": full_stack.env["API_READ_KEY"]}
    params = {"from": "2025-11-01", "to": "2025-11-30", "period": "month", "by": "kind"}
    stats = httpx.get(f"{full_stack.env['API_URL']}/api/v1/stats", params=params, headers=headers)
    assert stats.status_code == 200, stats.text
    assert "conversation_started" in stats.text

    csv = httpx.get(f"{full_stack.env['API_URL']}/api/v1/stats.csv", params=params, headers=headers)
    assert csv.status_code == 200 and "conversation_started" in csv.text


def test_statistics_need_the_read_key(full_stack):
    reply = httpx.get(f"{full_stack.env['API_URL']}/api/v1/stats", params={"by": "kind"})
    assert reply.status_code == 401


def test_a_message_check_is_counted_as_verdict_and_signal_ids_only(full_stack):
    scam = "Rabobank: uw pas wordt vandaag nog geblokkeerd. Bevestig uw gegevens via rab0bank-pas.info/nu"
    with httpx.Client(base_url=full_stack.rasa_url, timeout=30) as rasa:
        for message in ("Is dit bericht echt?", scam):
            reply = rasa.post("/webhooks/rest/webhook", json={"sender": "e2e-check", "message": message})
            assert reply.status_code == 200 and reply.json()
    _wait_for(full_stack, "message_checked", 1)
    _wait_for(full_stack, "message_signal", 2)
    path = Path(full_stack.env["API_DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT kind, topic, target FROM event WHERE kind IN ('message_checked', 'message_signal')"
        ).fetchall()
    assert ("message_checked", "bericht_controleren", "likely_scam") in rows
    assert {target for kind, _, target in rows if kind == "message_signal"} >= {
        "link_lijkt_op",
        "dreiging_haast",
    }
    stored = " ".join(str(value) for row in rows for value in row)
    assert "rab0bank" not in stored and "geblokkeerd" not in stored
