"""ActionAnswerTopic: answers every topic intent (and nlu_fallback) from knowledge/ content."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import adapter, dialogue
from knowledge import get_catalog


class ActionAnswerTopic(Action):
    """Topic intent -> the topic's answer, referrals and follow-up buttons.

    Only translates: tracker -> Turn, dialogue.respond, Reply -> messages, outbox and slot events.
    """

    def name(self) -> str:
        """Rasa action name."""
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Run the 'answer_topic' move of the dialogue core."""
        turn = adapter.turn_from(tracker)
        return adapter.apply(turn, dialogue.respond(get_catalog(), "answer_topic", turn), dispatcher)
