"""Two questions in one message, in the chat: the first topic is answered, the second offered as a button under
"Heeft dit antwoord u geholpen?"; offering counts nothing. Rankings are Rasa's ``intent_ranking`` written out.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.rasa_actions import ActionAnswerTopic, ActionResolvePlace
from knowledge import load_catalog
from tests.actions.action_support import make_tracker, outbox_events, slot_events

CATALOG = load_catalog()
TWO = "mijn digid doet het niet en ik moet ook toeslag aanvragen"
TWO_TOPICS = [("digid_problemen", 0.55), ("toeslagen", 0.4), ("email", 0.05)]
ONE_TOPIC = [("digid_problemen", 0.97), ("toeslagen", 0.02), ("email", 0.01)]
TOESLAGEN = CATALOG.topics["toeslagen"]
LINE = CATALOG.message("second_question", title=TOESLAGEN.title, button=TOESLAGEN.button)
OFFER = {"title": TOESLAGEN.button, "payload": "/toeslagen"}


async def _answer(
    text: str, intent: str, ranking: list[tuple[str, float]], **kwargs: Any
) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, ranking=ranking, **kwargs)
    await ActionAnswerTopic().run(dispatcher, tracker, {})
    return dispatcher


def _all_buttons(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [button for message in dispatcher.messages for button in message.get("buttons") or []]


def _counted(outbox) -> list[tuple[Any, ...]]:
    fields = ("kind", "topic", "target", "gemeente", "helpful")
    return [tuple(event.get(f) for f in fields) for event in outbox_events(outbox)]


async def test_two_topics_answer_the_first_and_offer_the_second(outbox):
    dispatcher = await _answer(TWO, "digid_problemen", TWO_TOPICS)
    assert dispatcher.messages[0]["text"].startswith(CATALOG.topics["digid_problemen"].answer)
    feedback = dispatcher.messages[-1]
    assert feedback["text"] == f"{CATALOG.message('feedback_question')}\n{LINE}"
    assert "Toeslagen" in feedback["text"]
    payloads = [b["payload"] for b in feedback["buttons"]]
    assert payloads[:3] == ["/affirm", "/deny", "/simpler"]
    assert feedback["buttons"][-1] == OFFER


async def test_a_single_topic_with_en_and_ook_gets_no_offer(outbox):
    dispatcher = await _answer(TWO, "digid_problemen", ONE_TOPIC)
    feedback = dispatcher.messages[-1]
    assert feedback["text"] == CATALOG.message("feedback_question")
    assert OFFER not in feedback["buttons"]


async def test_the_later_parts_own_topic_is_offered_when_the_whole_message_hardly_ranks_it(outbox):
    sure = [[("toeslagen", 0.97), ("wmo", 0.01)]]
    dispatcher = await _answer(TWO, "digid_problemen", ONE_TOPIC, part_rankings=sure)
    assert dispatcher.messages[-1]["buttons"][-1] == OFFER
    # the later part about the answered topic again: one question, no offer
    same = [[("digid_problemen", 0.97), ("toeslagen", 0.02)]]
    dispatcher = await _answer(TWO, "digid_problemen", ONE_TOPIC, part_rankings=same)
    assert OFFER not in _all_buttons(dispatcher)


async def test_offering_the_second_topic_counts_nothing(outbox):
    await _answer(TWO, "digid_problemen", ONE_TOPIC)
    without_offer = _counted(outbox)
    dispatcher = await _answer(TWO, "digid_problemen", TWO_TOPICS)
    assert OFFER in _all_buttons(dispatcher)
    with_offer = _counted(outbox)[len(without_offer) :]
    assert with_offer == without_offer
    assert [kind for kind, *_ in with_offer].count("answered") == 1
    assert all(topic != "toeslagen" for _, topic, *_ in with_offer)


async def test_the_feedback_slot_stays_on_the_first_topic(outbox):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerTopic().run(
        dispatcher, make_tracker(TWO, "digid_problemen", ranking=TWO_TOPICS), {}
    )
    assert slot_events(events)["feedback_topic"] == "digid_problemen"
    assert slot_events(events)["topic"] == "digid_problemen"


async def test_choosing_the_offered_button_is_a_normal_topic_question(outbox):
    dispatcher = await _answer(
        "/toeslagen", "toeslagen", [("toeslagen", 1.0)], slots={"topic": "digid_problemen"}
    )
    assert dispatcher.messages[0]["text"].startswith(TOESLAGEN.answer)
    assert "answered" in [kind for kind, *_ in _counted(outbox)]
    assert ("answered", "toeslagen", None, None, None) in _counted(outbox)
    assert all(b["payload"] != "/digid_problemen" for b in _all_buttons(dispatcher))


@pytest.mark.parametrize(
    ("intent", "ranking"),
    [
        ("nlu_fallback", [("nlu_fallback", 0.3), ("digid_problemen", 0.28), ("toeslagen", 0.27)]),
        ("medewerker", [("medewerker", 0.55), ("toeslagen", 0.4)]),
        ("begroeting", [("begroeting", 0.55), ("toeslagen", 0.4)]),
        ("bericht_controleren", [("bericht_controleren", 0.55), ("toeslagen", 0.4)]),
    ],
)
async def test_no_offer_after_not_understood_a_conversation_topic_or_the_message_check(outbox, intent, ranking):
    dispatcher = await _answer(TWO, intent, ranking, slots={"gemeente": "kerkrade"})
    assert not any(LINE in (m.get("text") or "") for m in dispatcher.messages)
    if intent != "nlu_fallback":  # "niet begrepen" offers its likely topics, Toeslagen among them
        assert OFFER not in _all_buttons(dispatcher)


async def test_a_topic_that_waits_for_the_place_offers_nothing_then_or_after_the_place(outbox):
    text = "waar is het informatiepunt en ik moet ook toeslag aanvragen"
    ranking = [("informatiepunt", 0.55), ("toeslagen", 0.4)]
    asked = await _answer(text, "informatiepunt", ranking)
    assert OFFER not in _all_buttons(asked)
    # the answer comes on the place message, which asked nothing else
    dispatcher = CollectingDispatcher()
    place_text = "ik woon in kerkrade en wil ook weten hoe laat"
    tracker = make_tracker(
        place_text,
        "inform_place",
        ranking=[("inform_place", 0.6), ("toeslagen", 0.35)],
        slots={"topic": "informatiepunt", "awaiting_place": True},
    )
    await ActionResolvePlace().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["text"].startswith(CATALOG.message("feedback_question"))
    assert OFFER not in _all_buttons(dispatcher)
