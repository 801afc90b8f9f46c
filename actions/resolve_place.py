"""ActionResolvePlace: the resident names where they live; remember the municipality and go on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import message_check, replies
from knowledge import get_catalog


class ActionResolvePlace(Action):
    """inform_place -> municipality slot, then the pending answer or a confirmation."""

    def name(self) -> str:
        """Rasa action name."""
        return "action_resolve_place"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Resolve the place and continue."""
        catalog = get_catalog()
        events = replies.open_turn(dispatcher, tracker, catalog)
        if message_check.wants_check(tracker, catalog):  # a pasted message that names a village
            return events + message_check.check_latest(dispatcher, tracker, catalog)
        return events + replies.take_place(dispatcher, tracker, catalog)
