"""The dialogue core: one turn in, one reply out (ARCHITECTURE.md, "Dialogue moves").

Every Rasa action calls ``respond`` with the move the rules chose for the intent; the states, events and moves
are the table in ARCHITECTURE.md, and tests/actions/test_dialogue_table.py checks each row. Nothing in the
core imports rasa_sdk: actions/adapter.py translates the tracker into a ``Turn`` and the ``Reply`` back.
"""

from __future__ import annotations

from typing import Literal

from actions import message_check, replies
from actions.context import known_gemeente, place_in_message
from actions.names import MESSAGE_CHECK_TOPIC, NOT_UNDERSTOOD_TOPIC, SLOT_AWAITING_CHECK
from actions.turn import Reply, Turn
from knowledge import Catalog
from knowledge.places import is_only_a_place, outside_text

Move = Literal["answer_topic", "resolve_place", "simplify", "record_feedback"]


def respond(catalog: Catalog, move: Move, turn: Turn) -> Reply:
    """The reply for ``turn``: messages, reach events and slot changes, decided in one place."""
    out = Reply()
    replies.open_turn(out, turn, catalog)
    if move == "answer_topic":
        _answer_topic(out, turn, catalog)
    elif move == "resolve_place":
        if message_check.wants_check(turn, catalog):  # a pasted message that names a village
            message_check.check_latest(out, turn, catalog)
        else:
            replies.take_place(out, turn, catalog)
    elif move == "simplify":
        # The last answer was a message check: its simpler wording; else the topic's.
        if not message_check.simpler(out, turn, catalog):
            replies.simpler(out, turn, catalog)
    elif move == "record_feedback":
        replies.feedback(out, turn, catalog)
    else:  # pragma: no cover - Literal keeps callers honest; this guards a typo in a new action
        raise ValueError(f"unknown dialogue move {move!r}")
    return out


def _answer_topic(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """Answer the latest message's topic; a bare place name while a place was asked counts as the place."""
    if message_check.wants_check(turn, catalog):
        message_check.check_latest(out, turn, catalog)
        return
    if turn.intent == MESSAGE_CHECK_TOPIC:
        message_check.ask_for_message(out, turn, catalog)
        return
    if turn.awaiting_check:
        out.set(**{SLOT_AWAITING_CHECK: False})
    if turn.awaiting_place and is_only_a_place(catalog, turn.text):
        replies.take_place(out, turn, catalog)
        return
    topic = catalog.topic_for_intent(turn.intent)
    if topic is None:
        topic = catalog.topics[NOT_UNDERSTOOD_TOPIC]
    named = place_in_message(catalog, turn)  # matched once: fuzzy place matching runs on every turn
    gemeente = known_gemeente(catalog, turn, named)
    # "ik woon in Hoensbroek, ...": say honestly it is not our area, then answer for our nearest library,
    # instead of asking for the municipality again.
    if named is not None and named.outside_nearest is not None and topic.id != NOT_UNDERSTOOD_TOPIC:
        out.say(outside_text(catalog, named, answer_follows=True))
        gemeente = named.outside_nearest
    replies.answer(out, turn, catalog, topic, gemeente)
