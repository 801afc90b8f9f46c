"""ActionRecordFeedback: counts the answer to 'Heeft dit geholpen?' and replies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from knowledge import get_catalog


class ActionRecordFeedback(Action):
    """affirm/deny -> a feedback event and a short reply."""

    def name(self) -> str:
        """Rasa action name."""
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Record the feedback."""
        catalog = get_catalog()
        return replies.open_turn(dispatcher, tracker, catalog) + replies.feedback(dispatcher, tracker, catalog)
