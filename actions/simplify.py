"""ActionSimplify: 'Zeg het simpeler' gives the simpler version of the last answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import message_check, replies
from knowledge import get_catalog


class ActionSimplify(Action):
    """simpler -> the simple text of the topic in the slot."""

    def name(self) -> str:
        """Rasa action name."""
        return "action_simplify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Say the last answer more simply."""
        catalog = get_catalog()
        events = replies.open_turn(dispatcher, tracker, catalog)
        checked = message_check.simpler(dispatcher, tracker, catalog)
        if checked is not None:  # the last answer was a message check: its simpler wording
            return events + checked
        return events + replies.simpler(dispatcher, tracker, catalog)
