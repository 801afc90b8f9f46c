"""ActionSimplify: 'Zeg het simpeler' gives the simpler version of the last answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import adapter, dialogue
from knowledge import get_catalog


class ActionSimplify(Action):
    """simpler -> the simple text of the last answer (or of the last message check).

    Only translates: tracker -> Turn, dialogue.respond, Reply -> messages, outbox and slot events.
    """

    def name(self) -> str:
        """Rasa action name."""
        return "action_simplify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Run the 'simplify' move of the dialogue core."""
        turn = adapter.turn_from(tracker)
        return adapter.apply(turn, dialogue.respond(get_catalog(), "simplify", turn), dispatcher)
