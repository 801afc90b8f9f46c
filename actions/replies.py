"""The shared dialogue moves: answer a topic for a municipality, ask for the place, take a place.

Part of the dialogue core (actions/dialogue.py): every move reads the ``Turn`` and adds to the ``Reply``; none
touches Rasa. Both "answer a topic" and "resolve a place" end in the same moves, so they live here once.
Nothing here branches on a topic id: the roles (hand-off, not understood) come from names.py, the words from
knowledge/.
What each move counts, and the slots that make it count once, are in docs/api.md ("What is counted, and when")
and ARCHITECTURE.md ("Dialogue slots").
"""

from __future__ import annotations

from actions import render
from actions.context import place_in_message
from actions.names import (
    HANDOFF_TOPIC,
    INTENT_AFFIRM,
    INTENT_DENY,
    INTENT_INFORM_PLACE,
    INTENT_SIMPLER,
    MESSAGE_CHECK_TOPIC,
    NOT_UNDERSTOOD_TOPIC,
    SLOT_AWAITING_PLACE,
    SLOT_COUNTED,
    SLOT_FEEDBACK,
    SLOT_GEMEENTE,
    SLOT_HANDOFF,
    SLOT_TOPIC,
)
from actions.turn import Reply, Turn
from knowledge import Catalog, Topic
from knowledge.clock import now
from knowledge.pii import KINDS, NAAM, placeholder
from knowledge.places import outside_text
from knowledge.referrals import referrals_for
from knowledge.two_questions import second_offer

# A name is masked without the reminder: residents say "ik ben Jan" or paste a message signed by a relative, and
# a warning on every introduction would teach them to ignore it (the reminder names BSN, IBAN and phone).
WARNED_KINDS = tuple(kind for kind in KINDS if kind != NAAM)


def open_turn(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """What every turn starts with: count a new conversation, and warn when the message held personal data.

    Channels mask personal data before Rasa sees it, so a placeholder such as ``[BSN]`` in the text means the
    resident typed one; the kind reminder comes before the answer. The first turn of a conversation that
    reaches an action emits 'conversation_started' and sets the slot that makes it count once.
    """
    if not turn.counted:
        out.count(turn, "conversation_started")
        out.set(**{SLOT_COUNTED: True})
    if any(placeholder(kind) in turn.text for kind in WARNED_KINDS):
        out.say(catalog.message("pii_warning"))


def handoff_subject(catalog: Catalog, turn: Turn) -> Topic | None:
    """The topic a hand-off is about: the one kept while the hand-off waits for the place, else the last answer.

    Asking for the place overwrites the pending topic with the hand-off itself, so without the kept subject a
    hand-off asked before the municipality is known would lose the referrals (and the count) of its topic.
    Only real topics count as a subject: "hallo, ik wil iemand spreken" is a hand-off about nothing.
    """
    for slot in (SLOT_HANDOFF, SLOT_TOPIC):
        topic = catalog.topics.get(turn.slot(slot) or "")
        if topic is not None and topic.kind == "topic":
            return topic
    return None


def way_to_person(catalog: Catalog, subject: Topic | None) -> str:
    """How to reach a person before the municipality is known: the subject's helplines and the hand-off's own
    desks (the library), confirmed facts only, else the general way to ask. The subject's local desks wait for
    the municipality. Shown, not counted: referrals are counted when the municipality narrows the answer."""
    handoff = catalog.topics[HANDOFF_TOPIC]
    subject_targets = subject.refer_to if subject is not None else ()
    helplines = tuple(t for t in subject_targets if t in catalog.organisations)
    desks = tuple(t for t in handoff.refer_to if t in catalog.services)
    return render.contacts_text(
        catalog, referrals_for(catalog, helplines, None, now()), referrals_for(catalog, desks, None, now())
    )


def ask_place(out: Reply, turn: Turn, catalog: Catalog, topic_id: str | None) -> None:
    """Ask which municipality the resident lives in, with one button per municipality.

    The place question replaces "Heeft dit geholpen?" as the open question, so a later yes/no is not counted as
    feedback; a waiting hand-off keeps its subject in its own slot. A hand-off first says how to reach a person,
    so a resident who does not answer the question still knows where to go.
    """
    subject = handoff_subject(catalog, turn) if topic_id == HANDOFF_TOPIC else None
    if topic_id == HANDOFF_TOPIC:
        out.say(way_to_person(catalog, subject))
    out.say(catalog.message("ask_place"), buttons=render.place_buttons(catalog))
    out.set(**{SLOT_TOPIC: topic_id, SLOT_AWAITING_PLACE: True})
    out.keep(turn, {SLOT_FEEDBACK: None, SLOT_HANDOFF: subject.id if subject else None})


def not_understood(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """The honest 'I do not understand' with up to three likely topics and the way to a person."""
    topic = catalog.topics[NOT_UNDERSTOOD_TOPIC]
    ranking = list(turn.ranking)
    buttons = render.suggestion_buttons(catalog, ranking)
    buttons.append({"title": catalog.message("button_staff"), "payload": render.payload(HANDOFF_TOPIC)})
    out.say(topic.answer, buttons=buttons)
    out.count(turn, "not_understood")
    out.set(**{SLOT_AWAITING_PLACE: False})
    out.keep(turn, {SLOT_FEEDBACK: None, SLOT_HANDOFF: None})


def _targets(topic: Topic, subject: Topic | None) -> tuple[str, ...]:
    """The topic's referral targets; a hand-off puts its subject's targets first (the way to a person last)."""
    targets = list(subject.refer_to) if subject is not None else []
    return tuple(dict.fromkeys([*targets, *topic.refer_to]))


def second_question(catalog: Catalog, turn: Turn, topic: Topic) -> Topic | None:
    """The other topic the latest message also asked about, to offer as a button after answering ``topic``.

    Only for the message that asked ``topic`` itself: an answer that waited for the place is given on the
    place message, which asks nothing else. Never after the message check, which waits for a message to
    check. Which second topic, if any, is knowledge/two_questions.py's rule, shared with staff triage.
    """
    asked = catalog.topic_for_intent(turn.intent)
    if topic.id == MESSAGE_CHECK_TOPIC or asked is None or asked.id != topic.id:
        return None
    offer = second_offer(catalog, turn.text, list(turn.ranking), topic, turn.part_rankings)
    return offer[0] if offer is not None else None


def answer(
    out: Reply,
    turn: Turn,
    catalog: Catalog,
    topic: Topic,
    gemeente: str | None,
) -> None:
    """Answer ``topic``: the text, the referrals for the resident's municipality, then the follow-up buttons."""
    if topic.id == NOT_UNDERSTOOD_TOPIC:
        not_understood(out, turn, catalog)
        return
    if topic.needs_place and gemeente is None:
        ask_place(out, turn, catalog, topic.id)
        return

    subject = handoff_subject(catalog, turn) if topic.id == HANDOFF_TOPIC else None
    targets = _targets(topic, subject)
    local_targets = [t for t in targets if t in catalog.services]
    if gemeente is None:
        targets = tuple(t for t in targets if t in catalog.organisations)
    refs = referrals_for(catalog, targets, gemeente, now())

    out.say(render.topic_text(catalog, topic))
    if refs:
        out.say(render.referrals_text(catalog, refs, gemeente))
    # One event per referral shown in this answer, under the topic the resident asked about. Two blocks of the
    # same target in the same municipality are one referral: the event could not tell them apart anyway.
    counted_topic = subject.id if subject is not None else topic.id
    for target, ref_gemeente in dict.fromkeys((ref.id, ref.gemeente or gemeente) for ref in refs):
        out.count(turn, "referred", topic=counted_topic, target=target, gemeente=ref_gemeente)

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
        question = catalog.message("feedback_question")
        # Offering the second topic counts nothing; pressing its button is a normal question (docs/api.md).
        second = second_question(catalog, turn, topic)
        if second is not None:
            question += "\n" + catalog.message("second_question", title=second.title, button=second.button)
            buttons.append({"title": second.button, "payload": render.payload(second.id)})
        out.say(question, buttons=buttons)
        out.count(turn, "answered", topic=topic.id, gemeente=gemeente)
    if topic.id == HANDOFF_TOPIC:
        out.count(turn, "handoff_requested", topic=subject.id if subject else None, gemeente=gemeente)

    out.set(**{SLOT_TOPIC: topic.id, SLOT_AWAITING_PLACE: False})
    # "Heeft dit geholpen?" is open for this answer only, and only when it was asked.
    out.keep(turn, {SLOT_FEEDBACK: topic.id if topic.kind == "topic" else None, SLOT_HANDOFF: None})
    if gemeente is not None:
        out.set(**{SLOT_GEMEENTE: gemeente})


def _answers_pending(turn: Turn, pending: Topic | None) -> bool:
    return (
        pending is not None
        and pending.id != NOT_UNDERSTOOD_TOPIC
        and bool(turn.slot(SLOT_AWAITING_PLACE) or pending.kind == "topic")
    )


def take_place(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """The resident named a place (or pressed a place button): remember it and continue the open question.

    A place outside our area gets the honest reply (``outside_text``) and the answer for our nearest library;
    the bot never claims the resident lives there.
    """
    match = place_in_message(catalog, turn)
    if match is None:
        if (turn.text).startswith("/"):
            ask_place(out, turn, catalog, turn.topic)
            return
        out.say(catalog.message("place_unknown"), buttons=render.place_buttons(catalog))
        out.set(**{SLOT_AWAITING_PLACE: True})
        return
    if match.gemeente is None and match.outside_nearest is None:
        out.say(catalog.message("place_unknown"), buttons=render.place_buttons(catalog))
        out.set(**{SLOT_AWAITING_PLACE: True})
        return
    gemeente = match.gemeente or match.outside_nearest
    assert gemeente is not None
    pending = catalog.topics.get(turn.slot(SLOT_TOPIC) or "")
    answers = _answers_pending(turn, pending)
    if match.gemeente is None:
        out.say(outside_text(catalog, match, answer_follows=answers))
    if answers:
        assert pending is not None
        answer(out, turn, catalog, pending, gemeente)
    else:
        if match.gemeente is not None:
            out.say(catalog.message("place_remembered", gemeente=catalog.gemeenten[gemeente].name))
        out.set(**{SLOT_AWAITING_PLACE: False})
        out.keep(turn, {SLOT_FEEDBACK: None, SLOT_HANDOFF: None})
    out.set(**{SLOT_GEMEENTE: gemeente})


def simpler(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """The simpler version of the last answer."""
    topic = catalog.topics.get(turn.slot(SLOT_TOPIC) or "")
    if topic is None:
        out.say(catalog.message("simpler_without_topic"))
        return
    out.say(topic.simple)


def feedback(out: Reply, turn: Turn, catalog: Catalog) -> None:
    """Count the first yes/no on 'Heeft dit geholpen?' and reply; a 'no' offers a person.

    One answer gives at most one feedback event: the open question (the feedback slot) is closed by the first
    yes/no. A later yes/no gets a friendly reply and the same offer of help, but is not counted, so one resident
    pressing "Ja" three times does not make an answer look three times as helpful.
    """
    asked = catalog.topics.get(turn.slot(SLOT_FEEDBACK) or "")
    topic = asked or catalog.topics.get(turn.slot(SLOT_TOPIC) or "")
    if topic is None or topic.kind != "topic":
        not_understood(out, turn, catalog)
        return
    helpful = turn.intent == INTENT_AFFIRM
    if asked is not None:
        out.count(turn, "feedback", topic=asked.id, helpful=helpful)
    if helpful:
        out.say(catalog.message("feedback_thanks" if asked else "feedback_again"))
    else:
        out.say(
            catalog.message("feedback_sorry"),
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
    out.keep(turn, {SLOT_FEEDBACK: None})
