"""Payload protection against the real running Rasa: typed ``/intent{...}`` never reaches Rasa's payload
parser, and a button the bot offered still works. Checked in the stored tracker (Rasa's HTTP API), where a
parsed payload shows up as a user event whose text starts with '/' and whose entities fill slots.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import socketio

from bot.rasa_client import RasaClient, RasaOutcome
from tests.faults.fault_support import Drill, Resident, tracker_events, user_events
from tests.faults.webchat_client import WebchatClient

FORGED = '/inform_place{"place":"brunssum"}'


def last_user(events: list[dict[str, Any]]) -> dict[str, Any]:
    return user_events(events)[-1]


def place_slot(events: list[dict[str, Any]]) -> Any:
    values = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "place"]
    return values[-1] if values else None


async def test_webchat_typed_payload_is_read_as_words(drill: Drill) -> None:
    web = await WebchatClient(drill.rasa_url).open()
    try:
        # act
        turn = await web.say(FORGED)
        events = tracker_events(drill.rasa_url, web.sender_id)
    finally:
        await web.close()
    # assert: answered, stored without the slash, no entity and no slot from the payload
    assert turn.texts
    user = last_user(events)
    assert not user["text"].startswith("/")
    assert user["parse_data"]["entities"] == []
    assert place_slot(events) is None


async def test_webchat_offered_button_still_works(drill: Drill) -> None:
    web = await WebchatClient(drill.rasa_url).open()
    try:
        # arrange: a question whose answer offers the place buttons
        offered: list[str] = []
        for question in ("Waar is het Informatiepunt?", "Ik wil een medewerker spreken"):
            offered = [p for p in (await web.say(question)).payloads if p.startswith("/inform_place")]
            if offered:
                break
        assert offered, "the bot offered no place button; pick another question"
        # act: press the first one
        turn = await web.say(offered[0])
        events = tracker_events(drill.rasa_url, web.sender_id)
    finally:
        await web.close()
    # assert: Rasa parsed it as the payload and filled the slot
    assert turn.texts
    user = last_user(events)
    assert user["text"] == offered[0]
    assert user["parse_data"]["intent"]["name"] == "inform_place"
    assert place_slot(events) is not None


async def test_webchat_malformed_events_do_not_break_the_conversation(drill: Drill) -> None:
    web = await WebchatClient(drill.rasa_url).open()
    try:
        for bad in ("just a string", ["a", "list"], {"message": 42, "session_id": web.session_id}):
            await web.emit_raw(bad)
        await web.emit_raw({"message": "Hallo", "session_id": web.session_id, "metadata": "{not json"})
        greeting = await web.collect(0.0, timeout=15)
        turn = await web.say("Hoe vraag ik een DigiD aan?")
    finally:
        await web.close()
    assert greeting.texts
    assert turn.texts


async def test_adapter_typed_payload_is_read_as_words_and_offered_button_works(
    drill: Drill, adapter_client: RasaClient
) -> None:
    resident = Resident(adapter_client, f"guard-{uuid.uuid4().hex[:12]}")
    # act: a payload typed before any button was offered
    typed = await resident.say(FORGED)
    after_typed = tracker_events(drill.rasa_url, resident.sender)
    # then a question whose answer offers buttons, and a press on one of them
    other = Resident(adapter_client, f"guard-{uuid.uuid4().hex[:12]}")
    offered: list[str] = []
    for question in ("Waar is het Informatiepunt?", "Ik wil een medewerker spreken"):
        reply = await other.say(question)
        payloads = [b.payload for m in reply.messages for b in m.buttons]
        offered = [p for p in payloads if p.startswith("/inform_place")]
        if offered:
            break
    assert offered
    forged_elsewhere = await resident.say(offered[0])  # offered to `other`, not to `resident`
    after_forged = tracker_events(drill.rasa_url, resident.sender)
    pressed = await other.say(offered[0])
    after_pressed = tracker_events(drill.rasa_url, other.sender)
    # assert
    assert typed.outcome is RasaOutcome.OK
    assert not last_user(after_typed)["text"].startswith("/")
    assert place_slot(after_typed) is None
    assert forged_elsewhere.outcome is RasaOutcome.OK
    assert not last_user(after_forged)["text"].startswith("/")
    assert place_slot(after_forged) is None
    assert pressed.outcome is RasaOutcome.OK
    assert last_user(after_pressed)["text"] == offered[0]
    assert place_slot(after_pressed) is not None


async def test_the_drill_stack_meets_the_real_origin_allow_list(drill: Drill) -> None:
    """Every stack test runs with the widget's origins, never "*": a page elsewhere cannot open the socket."""
    # arrange
    stranger = WebchatClient(drill.rasa_url, origin="http://evil.example")
    # act / assert
    with pytest.raises(socketio.exceptions.ConnectionError):
        await stranger.open(timeout=5)
    await stranger.close()
    web = await WebchatClient(drill.rasa_url).open()
    try:
        assert (await web.say("hoi")).texts
    finally:
        await web.close()
