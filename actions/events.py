"""Counts what the bot does as anonymous reach events, through the local outbox (never the network).

Also marks the first counted turn of a conversation, so 'conversation_started' is emitted once per
conversation with the channel the resident really uses.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.names import SLOT_COUNTED, SLOT_GEMEENTE
from knowledge.clock import now
from knowledge.reach import channel_for

log = logging.getLogger(__name__)


def _channel(tracker: Tracker) -> str:
    return channel_for(tracker.get_latest_input_channel())


def emit(
    tracker: Tracker,
    kind: str,
    *,
    topic: str | None = None,
    target: str | None = None,
    gemeente: str | None = None,
    helpful: bool | None = None,
) -> None:
    """Write one event to the outbox. Never raises: counting must not cost a resident an answer."""
    try:
        from actions.outbox import record_event

        record_event(
            kind,
            topic=topic,
            target=target,
            gemeente=gemeente if gemeente is not None else tracker.get_slot(SLOT_GEMEENTE),
            channel=_channel(tracker),
            helpful=helpful,
            today=now().date(),
        )
    except Exception:  # the outbox already never raises; this guards an import problem
        log.warning("could not record a %s event", kind)


def start_if_new(tracker: Tracker) -> list[dict[str, Any]]:
    """Emit 'conversation_started' on the first counted turn; return the slot event that remembers it."""
    if tracker.get_slot(SLOT_COUNTED):
        return []
    emit(tracker, "conversation_started")
    return [SlotSet(SLOT_COUNTED, True)]
