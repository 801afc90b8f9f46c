"""The only place the dialogue core meets rasa_sdk: tracker -> Turn, Reply -> dispatcher calls, SlotSet
events and outbox writes.

Why: the Rasa actions only translate, so every decision lives in actions/dialogue.py and can be tested as a
table of plain values.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.names import ENTITY_PLACE, METADATA_FORWARDED
from actions.turn import SLOT_NAMES, Reply, Turn
from knowledge.clock import now
from knowledge.reach import channel_for
from knowledge.two_questions import part_rankings_of

log = logging.getLogger(__name__)


def latest_intent(tracker: Tracker) -> str | None:
    """The intent NLU chose for the latest message, nlu_fallback included.

    rasa-sdk's ``get_intent_of_latest_message`` skips nlu_fallback by default, which would turn an uncertain
    guess into a confident answer; the bot must say it did not understand instead.
    """
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return name if isinstance(name, str) else None


def _confidence(tracker: Tracker) -> float:
    intent = tracker.latest_message.get("intent") or {}
    value = intent.get("confidence")
    return float(value) if isinstance(value, (int, float)) else 0.0


def turn_from(tracker: Tracker) -> Turn:
    """Read the latest message and every dialogue slot once."""
    latest = tracker.latest_message
    metadata = latest.get("metadata") or {}
    entity = next(tracker.get_latest_entity_values(ENTITY_PLACE), None)
    slots = {name: tracker.get_slot(name) for name in SLOT_NAMES}
    return Turn(
        text=str(latest.get("text") or ""),
        intent=latest_intent(tracker),
        confidence=_confidence(tracker),
        ranking=tuple(latest.get("intent_ranking") or ()),
        part_rankings=tuple(part_rankings_of(latest)),
        place_entity=entity if isinstance(entity, str) else None,
        channel=channel_for(tracker.get_latest_input_channel()),
        forwarded=isinstance(metadata, dict) and metadata.get(METADATA_FORWARDED) is True,
        topic=slots["topic"],
        awaiting_place=bool(slots["awaiting_place"]),
        gemeente=slots["gemeente"],
        counted=bool(slots["conversation_counted"]),
        feedback_topic=slots["feedback_topic"],
        handoff_topic=slots["handoff_topic"],
        awaiting_check=bool(slots["awaiting_message_check"]),
        check_result=slots["message_check_result"],
    )


def _record(turn: Turn, reply: Reply) -> None:
    """Write the reply's reach events to the outbox. Never raises: counting must not cost an answer."""
    try:
        from actions.outbox import record_event
    except Exception:  # the outbox itself never raises; this guards an import problem
        log.warning("could not record %d events", len(reply.counts))
        return
    today = now().date()
    for c in reply.counts:
        record_event(
            c.kind,
            topic=c.topic,
            target=c.target,
            gemeente=c.gemeente,
            channel=turn.channel,
            helpful=c.helpful,
            today=today,
        )


def apply(turn: Turn, reply: Reply, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """Send the messages, write the counts, and return the slot changes as SlotSet events."""
    for message in reply.messages:
        if message.buttons:
            dispatcher.utter_message(text=message.text, buttons=list(message.buttons))
        else:
            dispatcher.utter_message(text=message.text)
    _record(turn, reply)
    return [SlotSet(name, value) for name, value in reply.slots.items()]
