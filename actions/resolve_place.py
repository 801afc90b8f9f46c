"""ActionResolvePlace: the resident names where they live; remember the municipality and go on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import adapter, dialogue
from knowledge import get_catalog


class ActionResolvePlace(Action):
    """inform_place -> municipality slot, then the pending answer or a confirmation.

    Only translates: tracker -> Turn, dialogue.respond, Reply -> messages, outbox and slot events.
    """

    def name(self) -> str:
        """Rasa action name."""
        return "action_resolve_place"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Run the 'resolve_place' move of the dialogue core."""
        turn = adapter.turn_from(tracker)
        return adapter.apply(turn, dialogue.respond(get_catalog(), "resolve_place", turn), dispatcher)
