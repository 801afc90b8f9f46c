"""ActionAnswerTopic: answers every topic intent (and nlu_fallback) from knowledge/ content."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import message_check, replies
from actions.context import known_gemeente, latest_intent, place_in_message
from actions.names import MESSAGE_CHECK_TOPIC, NOT_UNDERSTOOD_TOPIC, SLOT_AWAITING_CHECK, SLOT_AWAITING_PLACE
from knowledge import get_catalog
from knowledge.places import is_only_a_place, outside_text


class ActionAnswerTopic(Action):
    """Topic intent -> the topic's answer, referrals and follow-up buttons."""

    def name(self) -> str:
        """Rasa action name."""
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Answer the latest message's topic; a bare place name while a place was asked counts as the place."""
        catalog = get_catalog()
        events = replies.open_turn(dispatcher, tracker, catalog)
        if message_check.wants_check(tracker, catalog):
            return events + message_check.check_latest(dispatcher, tracker, catalog)
        if latest_intent(tracker) == MESSAGE_CHECK_TOPIC:
            return events + message_check.ask_for_message(dispatcher, tracker, catalog)
        if tracker.get_slot(SLOT_AWAITING_CHECK):
            events.append(SlotSet(SLOT_AWAITING_CHECK, False))
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot(SLOT_AWAITING_PLACE) and is_only_a_place(catalog, text):
            return events + replies.take_place(dispatcher, tracker, catalog)
        topic = catalog.topic_for_intent(latest_intent(tracker))
        if topic is None:
            topic = catalog.topics[NOT_UNDERSTOOD_TOPIC]
        named = place_in_message(catalog, tracker)  # matched once: fuzzy place matching runs on every turn
        gemeente = known_gemeente(catalog, tracker, named)
        # "ik woon in Hoensbroek, ...": say honestly it is not our area, then answer for our nearest library,
        # instead of asking for the municipality again.
        if named is not None and named.outside_nearest is not None and topic.id != NOT_UNDERSTOOD_TOPIC:
            dispatcher.utter_message(text=outside_text(catalog, named, answer_follows=True))
            gemeente = named.outside_nearest
        return events + replies.answer(dispatcher, tracker, catalog, topic, gemeente)
