"""The dialogue moves of "Is dit bericht echt?": ask for the message, check the next one (or a forwarded one at
once), and say it more simply. ActionAnswerTopic and ActionResolvePlace call in here first; no Rasa action of
its own is needed, because the rules send every topic intent (this one included) to action_answer_topic.

Privacy: the checked text is the masked text of the latest user event. It is never logged, never copied into a
slot (the slot keeps only verdict, signal ids and organisation names) and only verdict and signal ids are
counted. The quotes in the reply come from the masked text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import render
from actions.context import latest_intent
from actions.events import emit
from actions.names import (
    HANDOFF_TOPIC,
    INTENT_FALLBACK,
    INTENT_SIMPLER,
    MESSAGE_CHECK_TOPIC,
    METADATA_FORWARDED,
    SLOT_AWAITING_CHECK,
    SLOT_AWAITING_PLACE,
    SLOT_CHECK_RESULT,
    SLOT_TOPIC,
)
from knowledge import Catalog
from knowledge.clock import now
from knowledge.links import find_links
from knowledge.message_check import check_message
from knowledge.message_check_answer import compose, recall, remember, rules_text
from knowledge.referrals import referrals_for

Events = list[dict[str, Any]]

# While the bot waits for a pasted message, a short, confidently classified question without a link and without
# any signal is taken as a new question instead (the resident changed their mind). Anything else is checked.
QUESTION_MAX_WORDS = 12
QUESTION_MIN_CONFIDENCE = 0.8
# A first message that asks for the check and already holds the message ("is dit echt? <bericht>") is checked
# at once when it is this long or has a link.
INLINE_MESSAGE_MIN_WORDS = 15


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def is_forwarded(tracker: Tracker) -> bool:
    """True when the channel adapter marked the latest message as forwarded (Telegram, WhatsApp)."""
    metadata = tracker.latest_message.get("metadata") or {}
    return isinstance(metadata, dict) and metadata.get(METADATA_FORWARDED) is True


def _confidence(tracker: Tracker) -> float:
    intent = tracker.latest_message.get("intent") or {}
    value = intent.get("confidence")
    return float(value) if isinstance(value, (int, float)) else 0.0


def _is_new_question(tracker: Tracker, catalog: Catalog) -> bool:
    text = _text(tracker)
    if text.startswith("/"):
        return True
    intent = latest_intent(tracker)
    if intent in (None, INTENT_FALLBACK) or _confidence(tracker) < QUESTION_MIN_CONFIDENCE:
        return False
    if len(text.split()) > QUESTION_MAX_WORDS or find_links(text):
        return False
    assert catalog.message_check is not None
    return check_message(text, catalog.message_check).verdict == "no_signals"


def wants_check(tracker: Tracker, catalog: Catalog) -> bool:
    """Should this turn check the latest message? Forwarded, or the message the bot asked for."""
    if catalog.message_check is None or _text(tracker).startswith("/"):
        return False
    if is_forwarded(tracker):
        return True
    if latest_intent(tracker) == MESSAGE_CHECK_TOPIC:
        text = _text(tracker)
        return len(text.split()) >= INLINE_MESSAGE_MIN_WORDS or bool(find_links(text))
    return bool(tracker.get_slot(SLOT_AWAITING_CHECK)) and not _is_new_question(tracker, catalog)


def ask_for_message(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """Ask the resident to paste or forward the message (with the reminder not to add their own codes)."""
    topic = catalog.topics[MESSAGE_CHECK_TOPIC]
    dispatcher.utter_message(text=topic.answer)
    emit(tracker, "answered", topic=topic.id)
    return [
        SlotSet(SLOT_TOPIC, topic.id),
        SlotSet(SLOT_AWAITING_CHECK, True),
        SlotSet(SLOT_CHECK_RESULT, None),
        SlotSet(SLOT_AWAITING_PLACE, False),
    ]


def _buttons(catalog: Catalog) -> list[render.Button]:
    return [
        {"title": catalog.message("button_simpler"), "payload": render.payload(INTENT_SIMPLER)},
        {"title": catalog.message("button_staff"), "payload": render.payload(HANDOFF_TOPIC)},
    ]


def check_latest(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events:
    """Check the latest message and answer: verdict and signals, then what to do, with the Fraudehelpdesk."""
    content = catalog.message_check
    assert content is not None
    result = check_message(_text(tracker), content)
    answer = compose(content, result)
    first = "\n\n".join(part for part in (answer.text, rules_text(content, answer)) if part)
    if not result.findings:
        dispatcher.utter_message(text=first, buttons=_buttons(catalog))
    else:
        dispatcher.utter_message(text=first)
        refs = referrals_for(catalog, (content.referral,), None, now())
        after = "\n".join([answer.after_intro, *answer.after])
        parts = [after, render.referrals_text(catalog, refs, None)] if refs else [after]
        dispatcher.utter_message(text="\n\n".join(parts), buttons=_buttons(catalog))
        for ref in refs:
            emit(tracker, "referred", topic=MESSAGE_CHECK_TOPIC, target=ref.id)
    emit(tracker, "message_checked", topic=MESSAGE_CHECK_TOPIC, target=result.verdict)
    for signal_id in result.signal_ids:
        emit(tracker, "message_signal", topic=MESSAGE_CHECK_TOPIC, target=signal_id)
    return [
        SlotSet(SLOT_TOPIC, MESSAGE_CHECK_TOPIC),
        SlotSet(SLOT_AWAITING_CHECK, False),
        SlotSet(SLOT_CHECK_RESULT, remember(result)),
        SlotSet(SLOT_AWAITING_PLACE, False),
    ]


def simpler(dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog) -> Events | None:
    """The simpler version of the last check, or None when the last answer was not a check."""
    if tracker.get_slot(SLOT_TOPIC) != MESSAGE_CHECK_TOPIC or catalog.message_check is None:
        return None
    result = recall(catalog.message_check, tracker.get_slot(SLOT_CHECK_RESULT))
    if result is None:
        return None
    dispatcher.utter_message(text=compose(catalog.message_check, result).simple)
    return []
