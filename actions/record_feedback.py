"""ActionRecordFeedback: counts the answer to 'Heeft dit geholpen?' and replies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import adapter, dialogue
from knowledge import get_catalog


class ActionRecordFeedback(Action):
    """affirm/deny -> a feedback event (the first one only) and a short reply.

    Only translates: tracker -> Turn, dialogue.respond, Reply -> messages, outbox and slot events.
    """

    def name(self) -> str:
        """Rasa action name."""
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Run the 'record_feedback' move of the dialogue core."""
        turn = adapter.turn_from(tracker)
        return adapter.apply(turn, dialogue.respond(get_catalog(), "record_feedback", turn), dispatcher)
