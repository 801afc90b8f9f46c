"""The four Rasa actions. Each runs one move of the dialogue core (``actions/dialogue.py``) and only
translates: tracker -> ``Turn``, ``dialogue.respond``, ``Reply`` -> messages, outbox and slot events
(``actions/adapter.py``).

Why one base class: the actions differ only in their move, so the translation exists once. Rasa's name of an
action is ``action_<move>``; the base class is abstract, so rasa-sdk's action discovery skips it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import adapter, dialogue
from knowledge import get_catalog


class CoreAction(Action, ABC):
    """A Rasa action that runs one move of the dialogue core."""

    @property
    @abstractmethod
    def move(self) -> dialogue.Move:
        """The move of the dialogue core this action runs."""

    def name(self) -> str:
        """Rasa action name: ``action_<move>`` (domain.yml)."""
        return f"action_{self.move}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Read the turn once, run the move, apply the reply."""
        turn = adapter.turn_from(tracker)
        return adapter.apply(turn, dialogue.respond(get_catalog(), self.move, turn), dispatcher)


class ActionAnswerTopic(CoreAction):
    """Topic intent (and nlu_fallback) -> the topic's answer, referrals and follow-up buttons."""

    move: dialogue.Move = "answer_topic"


class ActionResolvePlace(CoreAction):
    """inform_place -> municipality slot, then the pending answer or a confirmation."""

    move: dialogue.Move = "resolve_place"


class ActionSimplify(CoreAction):
    """simpler -> the simple text of the last answer (or of the last message check)."""

    move: dialogue.Move = "simplify"


class ActionRecordFeedback(CoreAction):
    """affirm/deny -> a feedback event (the first one only) and a short reply."""

    move: dialogue.Move = "record_feedback"
