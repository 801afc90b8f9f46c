"""The privacy goal over the whole PII corpus.

After residents send every corpus message through an adapter's path to the real Rasa, no annotated personal
data is in the tracker store (PostgreSQL), Rasa's log or the outbox, and every message still gets an answer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import yaml

from bot.rasa_client import RasaClient
from tests.faults.fault_support import Drill, Resident, tracker_events, user_events

CORPUS = Path(__file__).resolve().parents[1] / "pii" / "corpus.yml"


def _corpus_with_pii() -> list[dict[str, Any]]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    # Known limitations (``limitation: true``, docs/privacy.md) are not masked by design; tests/pii holds them
    # as strict expected failures. A message is driven here for the values that must be masked.
    masked = []
    for message in data["messages"]:
        items = [item for item in message.get("pii") or [] if not item.get("limitation")]
        if items:
            masked.append({**message, "pii": items})
    return masked


async def test_no_corpus_personal_data_in_tracker_logs_or_outbox(
    drill: Drill, adapter_client: RasaClient
) -> None:
    messages = _corpus_with_pii()
    for index, message in enumerate(messages):
        sender = f"pii-corpus-{index}"
        reply = await Resident(adapter_client, sender).say(message["text"])
        assert reply.messages, f"no answer to corpus message {message['id']}"
        stored = "\n".join(
            str(event.get("text") or "") + str(event.get("parse_data") or "")
            for event in user_events(tracker_events(drill.rasa_url, sender))
        )
        assert "[" in stored, f"message {message['id']} was not stored masked"
        for item in message["pii"]:
            assert item["value"] not in stored, f"tracker holds {item['kind']} of {message['id']}"

    # A date of birth ("3 december") may also be an ordinary date elsewhere; numbers and addresses may not.
    distinctive = {
        item["value"]
        for m in messages
        for item in m["pii"]
        if "@" in item["value"] or sum(ch.isdigit() for ch in item["value"]) >= 6
    }
    outbox = Path(drill.stack.env["OUTBOX_PATH"])
    with sqlite3.connect(outbox) as db:
        outbox_text = "\n".join(row[0] for row in db.execute("SELECT payload FROM outbox"))
    rasa_log = drill.rasa_log()
    for value in distinctive:
        assert value not in rasa_log, f"Rasa's log holds personal data: {value!r}"
        assert value not in outbox_text
