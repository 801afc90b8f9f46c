"""Counting semantics end to end: chat over Rasa's REST webhook, read the published statistics over HTTP.

Real Rasa, action server, outbox relay and API, started by scripts/stack.py. The chat stack's clock is pinned
to Wednesday 26 November 2025. Statistics are read from a second API process on the same database whose clock
is 40 days later, so November is a closed and settled period, and which publishes exact counts (threshold 1,
rounding 1). Each test uses its own senders and compares the statistics before and after its conversations,
so the tests do not depend on each other's order. The rules are in docs/api.md, "What is counted, and when".
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from knowledge import load_catalog
from scripts.stack import Stack, start_stack

CHAT_NOW = "2025-11-26T19:00:00+01:00"
READER_NOW = "2026-01-05T12:00:00+01:00"
EXACT_COUNTS = {"API_SUPPRESSION_THRESHOLD": "1", "API_ROUNDING_BASE": "1"}
NOVEMBER = {"from": "2025-11-01", "to": "2025-11-30", "period": "month"}
CATALOG = load_catalog()


class Counting:
    """The running stack, a reader API 40 days later, and the conversations of one test."""

    def __init__(self, stack: Stack, reader_url: str) -> None:
        self.stack = stack
        self.reader_url = reader_url
        self.rasa = httpx.Client(base_url=stack.rasa_url, timeout=60)

    def say(self, sender: str, message: str) -> str:
        """One turn over REST; the bot's texts joined (empty for a turn the bot answers silently)."""
        reply = self.rasa.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
        assert reply.status_code == 200, reply.text
        return "\n".join(m.get("text") or "" for m in reply.json())

    def delivered(self, timeout: float = 60) -> None:
        """Wait until the relay has delivered every event the actions wrote (they write before they reply)."""
        deadline = time.monotonic() + timeout
        states: dict[str, int] = {}
        while time.monotonic() < deadline:
            with sqlite3.connect(self.stack.env["OUTBOX_PATH"]) as db:
                states = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
            if states and set(states) == {"delivered"}:
                return
            assert "dead" not in states, f"the API refused events: {states}\n{self.stack.log('relay')}"
            time.sleep(0.3)
        raise AssertionError(f"outbox not delivered within {timeout} s: {states}")

    def stats(self, by: str, kind: str | None = None) -> dict[str | None, int]:
        """November's published totals per value, from the reader API."""
        params = {**NOVEMBER, "by": by, **({"kind": kind} if kind else {})}
        reply = httpx.get(
            f"{self.reader_url}/api/v1/stats",
            params=params,
            headers={"X-API-Key": self.stack.env["API_READ_KEY"]},
            timeout=30,
        )
        assert reply.status_code == 200, f"{reply.text}\n{self.stack.log('api-reader')}"
        body = reply.json()
        assert body["threshold"] == 1 and body["rounding"] == 1, "the reader must publish exact counts"
        totals: dict[str | None, int] = {}
        for entry in body["value_totals"]:
            assert entry["count"] is not None, entry
            totals[entry["value"]] = entry["count"]
        return totals

    def close(self) -> None:
        self.rasa.close()


def grown(before: dict[str | None, int], after: dict[str | None, int]) -> dict[str | None, int]:
    """What a test added: the values whose total changed, with the difference."""
    return {
        k: after.get(k, 0) - before.get(k, 0)
        for k in after.keys() | before.keys()
        if after.get(k, 0) != before.get(k, 0)
    }


def senders(name: str, count: int = 1) -> list[str]:
    run = uuid.uuid4().hex[:8]
    return [f"count-{name}-{run}-{n}" for n in range(count)]


@pytest.fixture(scope="module")
def counting() -> Iterator[Counting]:
    stack = start_stack(with_api=True, extra_env={"WEGWIJZER_NOW": CHAT_NOW, "RELAY_POLL_INTERVAL": "0.2"})
    try:
        reader_url = stack.start_api_reader(READER_NOW, EXACT_COUNTS)
    except Exception:
        logs = stack.log("api-reader")
        stack.stop_all()
        raise RuntimeError(f"the reader API did not start:\n{logs}") from None
    running = Counting(stack, reader_url)
    yield running
    running.close()
    stack.stop_all()


def test_a_new_session_is_a_new_conversation(counting: Counting) -> None:
    """One conversation_started per Rasa session, not per sender.

    A session ends after 60 minutes of silence (domain.yml, ``session_expiration_time``). To start one without
    waiting an hour, a resident sends "/session_start": Rasa 3.6 parses it as its built-in ``session_start``
    intent, and RulePolicy's default mapping for that intent predicts ``action_session_start``, the same action
    Rasa runs when a session has expired. It logs ``session_started`` (which resets every slot to its initial
    value; the domain carries none over) and ``action_listen``, and Rasa predicts nothing after it, so the REST
    reply is empty. The next message is the first turn of a new conversation and is counted.
    """
    # arrange
    before = counting.stats("kind", "conversation_started")
    returning, *others = senders("session", 3)
    for sender in (returning, *others):
        counting.say(sender, "ik woon in kerkrade")
        counting.say(sender, "wat is phishing")
    # act: the first resident comes back in a new session
    assert counting.say(returning, "/session_start") == ""
    asked = counting.say(returning, "Waar is het informatiepunt?")
    counting.say(returning, "Kerkrade")
    counting.delivered()
    # assert: 3 conversations, then the returning resident's second one; the municipality was asked again
    assert grown(before, counting.stats("kind", "conversation_started")) == {"conversation_started": 4}
    assert CATALOG.message("ask_place") in asked


def test_one_feedback_event_per_answer_asked_about(counting: Counting) -> None:
    """The first yes/no on "Heeft dit antwoord u geholpen?" counts; later ones are answered but not counted."""
    # arrange
    before = counting.stats("topic", "feedback")
    (sender,) = senders("feedback")
    counting.say(sender, "wat is phishing")
    # act
    first = counting.say(sender, "/affirm")
    again = counting.say(sender, "/affirm")
    counting.say(sender, "ja")
    counting.say(sender, "/deny")
    counting.say(sender, "hoe vraag ik een digid aan")
    counting.say(sender, "/deny")
    counting.say(sender, "nee")
    counting.delivered()
    # assert
    assert first == CATALOG.message("feedback_thanks")
    assert again == CATALOG.message("feedback_again")
    assert grown(before, counting.stats("topic", "feedback")) == {"online_veiligheid": 1, "digid_aanvragen": 1}


def test_a_handoff_before_the_place_keeps_its_topic_and_referrals(counting: Counting) -> None:
    """Debts, then "ik wil iemand spreken", then "Kerkrade": GeldWijzerWinkel and a person, under geldzaken."""
    # arrange
    before_handoff = counting.stats("topic", "handoff_requested")
    before_topics = counting.stats("topic", "referred")
    before_targets = counting.stats("target", "referred")
    (sender,) = senders("handoff")
    counting.say(sender, "ik heb schulden")
    assert CATALOG.message("ask_place") in counting.say(sender, "ik wil iemand spreken")
    # act
    reply = counting.say(sender, "Kerkrade")
    counting.delivered()
    # assert: the answer shows the debts desk and the way to a person
    assert "GeldWijzerWinkel" in reply and "Informatiepunt Digitale Overheid" in reply
    assert grown(before_handoff, counting.stats("topic", "handoff_requested")) == {"geldzaken": 1}
    # the first answer (no place yet) showed the helpline geldfit; the hand-off showed all five
    assert grown(before_targets, counting.stats("target", "referred")) == {
        "geldfit": 2,
        "geldwijzerwinkel": 1,
        "gemeente_loket": 1,
        "informatiepunt": 1,
        "bibliotheek": 1,
    }
    assert grown(before_topics, counting.stats("topic", "referred")) == {"geldzaken": 6}


def test_a_referral_is_counted_once_per_answer_shown(counting: Counting) -> None:
    """An answer shown twice counts its referrals twice; simpler, feedback and questions count none."""
    # arrange
    before = counting.stats("target", "referred")
    (sender,) = senders("referral")
    counting.say(sender, "hoe vraag ik zorgtoeslag aan")  # belastingtelefoon (no place yet)
    counting.say(sender, "/simpler")
    counting.say(sender, "/affirm")
    # act: "Hulp in de buurt", then the municipality: the same answer again, now with the local desk
    assert CATALOG.message("ask_place") in counting.say(sender, "/inform_place")
    counting.say(sender, '/inform_place{"place":"brunssum"}')
    counting.say(sender, "/simpler")
    # and a hand-off whose topic also refers to the Informatiepunt shows (and counts) it once
    counting.say(sender, "kan ik iemand spreken")
    counting.delivered()
    # assert
    assert grown(before, counting.stats("target", "referred")) == {
        "belastingtelefoon": 3,
        "informatiepunt": 2,
        "bibliotheek": 1,
    }
