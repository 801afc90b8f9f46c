"""The dialogue moves of "Is dit bericht echt?": ask for the message, check the next one (or a forwarded one at
once), and say it more simply. Part of the dialogue core (actions/dialogue.py), which calls in here first;
no Rasa action of its own is needed, because the rules send every topic intent (this one included) to
action_answer_topic.

Privacy: the checked text is the masked text of the latest user event. It is never logged, never copied into a
slot (the slot keeps only verdict, signal ids and organisation names) and only verdict and signal ids are
counted. The quotes in the reply come from the masked text.
"""

from __future__ import annotations

from actions import render
from actions.names import (
    HANDOFF_TOPIC,
    INTENT_FALLBACK,
    INTENT_SIMPLER,
    MESSAGE_CHECK_TOPIC,
    SLOT_AWAITING_CHECK,
    SLOT_AWAITING_PLACE,
    SLOT_CHECK_RESULT,
    SLOT_TOPIC,
)
from actions.turn import Reply, Turn
from knowledge import Catalog
from knowledge.clock import now
from knowledge.links import find_links
from knowledge.message_check import check_message
from knowledge.message_check_answer import compose, recall, remember, rules_text
from knowledge.referrals import referrals_for

# While the bot waits for a pasted message, a short, confidently classified question without a link and without
# any signal is taken as a new question instead (the resident changed their mind). Anything else is checked.
QUESTION_MAX_WORDS = 12
QUESTION_MIN_CONFIDENCE = 0.8
# A first message that asks for the check and already holds the message ("is dit echt? <bericht>") is checked
# at once when it is this long or has a link.
INLINE_MESSAGE_MIN_WORDS = 15


def _is_new_question(turn: Turn, catalog: Catalog) -> bool:
    text = turn.text
    if text.startswith("/"):
        return True
    if turn.intent in (None, INTENT_FALLBACK) or turn.confidence < QUESTION_MIN_CONFIDENCE:
        return False
    if len(text.split()) > QUESTION_MAX_WORDS or find_links(text):
        return False
    assert catalog.message_check is not None
    return check_message(text, catalog.message_check).verdict == "no_signals"


def wants_check(turn: Turn, catalog: Catalog) -> bool:
    """Should this turn check the latest message? Forwarded, or the message the bot asked for."""
    if catalog.message_check is None or turn.text.startswith("/"):
        return False
    if turn.forwarded:
        return True
    if turn.intent == MESSAGE_CHECK_TOPIC:
        return len(turn.text.split()) >= INLINE_MESSAGE_MIN_WORDS or bool(find_links(turn.text))
    return turn.awaiting_check and not _is_new_question(turn, catalog)


def ask_for_message(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """Ask the resident to paste or forward the message (with the reminder not to add their own codes)."""
    topic = catalog.topics[MESSAGE_CHECK_TOPIC]
    out.say(topic.answer)
    out.count(turn, "answered", topic=topic.id)
    out.set(
        **{SLOT_TOPIC: topic.id, SLOT_AWAITING_CHECK: True, SLOT_CHECK_RESULT: None, SLOT_AWAITING_PLACE: False}
    )


def _buttons(catalog: Catalog) -> list[render.Button]:
    return [
        {"title": catalog.message("button_simpler"), "payload": render.payload(INTENT_SIMPLER)},
        {"title": catalog.message("button_staff"), "payload": render.payload(HANDOFF_TOPIC)},
    ]


def check_latest(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """Check the latest message and answer: verdict and signals, then what to do, with the Fraudehelpdesk."""
    content = catalog.message_check
    assert content is not None
    result = check_message(turn.text, content)
    answer = compose(content, result)
    first = "\n\n".join(part for part in (answer.text, rules_text(content, answer)) if part)
    if not result.findings:
        out.say(first, buttons=_buttons(catalog))
    else:
        out.say(first)
        refs = referrals_for(catalog, (content.referral,), None, now())
        after = "\n".join([answer.after_intro, *answer.after])
        parts = [after, render.referrals_text(catalog, refs, None)] if refs else [after]
        out.say("\n\n".join(parts), buttons=_buttons(catalog))
        for ref in refs:
            out.count(turn, "referred", topic=MESSAGE_CHECK_TOPIC, target=ref.id)
    out.count(turn, "message_checked", topic=MESSAGE_CHECK_TOPIC, target=result.verdict)
    for signal_id in result.signal_ids:
        out.count(turn, "message_signal", topic=MESSAGE_CHECK_TOPIC, target=signal_id)
    out.set(
        **{
            SLOT_TOPIC: MESSAGE_CHECK_TOPIC,
            SLOT_AWAITING_CHECK: False,
            SLOT_CHECK_RESULT: remember(result),
            SLOT_AWAITING_PLACE: False,
        }
    )


def simpler(out: Reply, turn: Turn, catalog: Catalog) -> bool:
    """Say the simpler version of the last check; False (nothing said) when the last answer was not a check."""
    if turn.topic != MESSAGE_CHECK_TOPIC or catalog.message_check is None:
        return False
    result = recall(catalog.message_check, turn.check_result)
    if result is None:
        return False
    out.say(compose(catalog.message_check, result).simple)
    return True
