"""The shared dialogue moves: answer a topic for a municipality, ask for the place, take a place.

Both ActionAnswerTopic and ActionResolvePlace end in the same moves, so they live here once. Nothing here
branches on a topic id: the roles (hand-off, not understood) come from names.py, the words from knowledge/.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import render
from actions.context import latest_intent, place_in_message
from actions.events import emit, start_if_new
from actions.names import (
    HANDOFF_TOPIC,
    INTENT_AFFIRM,
    INTENT_DENY,
    INTENT_INFORM_PLACE,
    INTENT_SIMPLER,
    NOT_UNDERSTOOD_TOPIC,
    SLOT_AWAITING_PLACE,
    SLOT_GEMEENTE,
    SLOT_TOPIC,
)
from knowledge import Catalog, Topic
from knowledge.clock import now
from knowledge.pii import KINDS, placeholder
from knowledge.referrals import referrals_for

Events = list[dict[str, Any]]


def open_turn(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """What every turn starts with: count a new conversation, and warn when the message held personal data.

    Channels mask personal data before Rasa sees it, so a placeholder such as ``[BSN]`` in the text means the
    resident typed one; the kind reminder comes before the answer.
    """
    text = tracker.latest_message.get("text") or ""
    if any(placeholder(kind) in text for kind in KINDS):
        dispatcher.utter_message(text=catalog.message("pii_warning"))
    return start_if_new(tracker)


def ask_place(dispatcher: CollectingDispatcher, catalog: Catalog, topic_id: str | None) -> Events:
    """Ask which municipality the resident lives in, with one button per municipality."""
    dispatcher.utter_message(text=catalog.message("ask_place"), buttons=render.place_buttons(catalog))
    return [SlotSet(SLOT_TOPIC, topic_id), SlotSet(SLOT_AWAITING_PLACE, True)]


def not_understood(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """The honest 'I do not understand' with up to three likely topics and the way to a person."""
    topic = catalog.topics[NOT_UNDERSTOOD_TOPIC]
    ranking = tracker.latest_message.get("intent_ranking") or []
    buttons = render.suggestion_buttons(catalog, ranking)
    buttons.append({"title": catalog.message("button_staff"), "payload": render.payload(HANDOFF_TOPIC)})
    dispatcher.utter_message(text=topic.answer, buttons=buttons)
    emit(tracker, "not_understood")
    return [SlotSet(SLOT_AWAITING_PLACE, False)]


def _targets(catalog: Catalog, topic: Topic, previous: Topic | None) -> tuple[str, ...]:
    targets = list(topic.refer_to)
    if topic.id == HANDOFF_TOPIC and previous is not None and previous.kind == "topic":
        targets = list(previous.refer_to) + [t for t in targets if t not in previous.refer_to]
    return tuple(dict.fromkeys(targets))


def answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    catalog: Catalog,
    topic: Topic,
    gemeente: str | None,
) -> Events:
    """Answer ``topic``: the text, the referrals for the resident's municipality, then the follow-up buttons."""
    if topic.id == NOT_UNDERSTOOD_TOPIC:
        return not_understood(dispatcher, tracker, catalog)
    if topic.needs_place and gemeente is None:
        return ask_place(dispatcher, catalog, topic.id)

    previous = catalog.topics.get(tracker.get_slot(SLOT_TOPIC) or "")
    targets = _targets(catalog, topic, previous)
    local_targets = [t for t in targets if t in catalog.services]
    if gemeente is None:
        targets = tuple(t for t in targets if t in catalog.organisations)
    refs = referrals_for(catalog, targets, gemeente, now())

    dispatcher.utter_message(text=render.topic_text(catalog, topic))
    if refs:
        dispatcher.utter_message(text=render.referrals_text(catalog, refs, gemeente))
    for ref in refs:
        emit(tracker, "referred", topic=topic.id, target=ref.id, gemeente=ref.gemeente or gemeente)

    buttons: list[render.Button] = []
    if topic.kind == "topic":
        buttons = [
            {"title": catalog.message("button_yes"), "payload": render.payload(INTENT_AFFIRM)},
            {"title": catalog.message("button_no"), "payload": render.payload(INTENT_DENY)},
            {"title": catalog.message("button_simpler"), "payload": render.payload(INTENT_SIMPLER)},
        ]
        if gemeente is None and local_targets:
            buttons.append(
                {
                    "title": catalog.message("button_referral"),
                    "payload": render.payload(INTENT_INFORM_PLACE),
                }
            )
        dispatcher.utter_message(text=catalog.message("feedback_question"), buttons=buttons)
        emit(tracker, "answered", topic=topic.id, gemeente=gemeente)
    if topic.id == HANDOFF_TOPIC:
        emit(tracker, "handoff_requested", topic=previous.id if previous else None, gemeente=gemeente)

    events: Events = [SlotSet(SLOT_TOPIC, topic.id), SlotSet(SLOT_AWAITING_PLACE, False)]
    if gemeente is not None:
        events.append(SlotSet(SLOT_GEMEENTE, gemeente))
    return events


def take_place(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """The resident named a place (or pressed a place button): remember it and continue the open question."""
    match = place_in_message(catalog, tracker)
    if match is None:
        if (tracker.latest_message.get("text") or "").startswith("/"):
            return ask_place(dispatcher, catalog, tracker.get_slot(SLOT_TOPIC))
        dispatcher.utter_message(text=catalog.message("place_unknown"), buttons=render.place_buttons(catalog))
        return [SlotSet(SLOT_AWAITING_PLACE, True)]
    if match.gemeente is None and match.outside_nearest is None:
        dispatcher.utter_message(text=catalog.message("place_unknown"), buttons=render.place_buttons(catalog))
        return [SlotSet(SLOT_AWAITING_PLACE, True)]
    gemeente = match.gemeente or match.outside_nearest
    assert gemeente is not None
    if match.gemeente is None:
        dispatcher.utter_message(
            text=catalog.message("place_outside", place=match.name, nearest=catalog.gemeenten[gemeente].name)
        )
    pending = catalog.topics.get(tracker.get_slot(SLOT_TOPIC) or "")
    if (
        pending is not None
        and pending.id != NOT_UNDERSTOOD_TOPIC
        and (tracker.get_slot(SLOT_AWAITING_PLACE) or pending.kind == "topic")
    ):
        events = answer(dispatcher, tracker, catalog, pending, gemeente)
    else:
        dispatcher.utter_message(
            text=catalog.message("place_remembered", gemeente=catalog.gemeenten[gemeente].name)
        )
        events = [SlotSet(SLOT_AWAITING_PLACE, False)]
    return [*events, SlotSet(SLOT_GEMEENTE, gemeente)]


def simpler(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """The simpler version of the last answer."""
    topic = catalog.topics.get(tracker.get_slot(SLOT_TOPIC) or "")
    if topic is None:
        dispatcher.utter_message(text=catalog.message("simpler_without_topic"))
        return []
    dispatcher.utter_message(text=topic.simple)
    return []


def feedback(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """Count a yes/no on 'Heeft dit geholpen?' and reply; a 'no' offers a person."""
    topic = catalog.topics.get(tracker.get_slot(SLOT_TOPIC) or "")
    if topic is None or topic.kind != "topic":
        return not_understood(dispatcher, tracker, catalog)
    helpful = latest_intent(tracker) == INTENT_AFFIRM
    emit(tracker, "feedback", topic=topic.id, helpful=helpful)
    if helpful:
        dispatcher.utter_message(text=catalog.message("feedback_thanks"))
    else:
        dispatcher.utter_message(
            text=catalog.message("feedback_sorry"),
            buttons=[
                {
                    "title": catalog.message("button_simpler"),
                    "payload": render.payload(INTENT_SIMPLER),
                },
                {
                    "title": catalog.message("button_staff"),
                    "payload": render.payload(HANDOFF_TOPIC),
                },
            ],
        )
    return []
