"""Counting semantics (issue #11): what one conversation, one answer and one hand-off write to the outbox.

Each test plays a short conversation through the real actions against the real domain, carrying the slots from
turn to turn as Rasa would, and reads the outbox. The rules are in docs/api.md, "What is counted, and when".
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.rasa_actions import ActionAnswerTopic, ActionRecordFeedback, ActionResolvePlace, ActionSimplify
from knowledge import load_catalog
from tests.actions.action_support import make_tracker, outbox_events, slot_events, texts

CATALOG = load_catalog()
ROOT = Path(__file__).resolve().parents[2]


class Resident:
    """One conversation: runs an action per turn and carries the slots it sets into the next turn."""

    def __init__(self, domain: dict[str, Any], slots: dict[str, Any] | None = None) -> None:
        self.domain = domain
        self.slots: dict[str, Any] = dict(slots or {})

    async def say(
        self, action: Action, text: str, intent: str, entities: list[dict[str, Any]] | None = None
    ) -> list[str]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, intent, slots=dict(self.slots), entities=entities)
        events = await action.run(dispatcher, tracker, self.domain)
        self.slots.update(slot_events(events))
        return texts(dispatcher)


def kinds(outbox: Path) -> Counter[str]:
    return Counter(e["kind"] for e in outbox_events(outbox))


def feedback_given(outbox: Path) -> list[tuple[str, bool]]:
    """The (topic, helpful) pairs of the feedback events, in the order they were written."""
    return [(e["topic"], e["helpful"]) for e in outbox_events(outbox) if e["kind"] == "feedback"]


async def answered_phishing(domain: dict[str, Any]) -> Resident:
    """A resident who has just had the answer on phishing, so a yes or no next is feedback on it."""
    resident = Resident(domain)
    await resident.say(ActionAnswerTopic(), "wat is phishing", "online_veiligheid")
    return resident


# --- one conversation_started per Rasa session ---------------------------------------------------------------


async def test_a_new_session_counts_the_returning_resident_again(domain, outbox):
    """Rasa's own session start, with our domain, must not carry the counting slot into the new session."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    # arrange: a first session that was counted, in Kerkrade
    resident = Resident(domain)
    await resident.say(ActionAnswerTopic(), "ik woon in kerkrade, wanneer is het e-cafe", "e_cafe")
    assert kinds(outbox)["conversation_started"] == 1
    rasa_domain = Domain.load(str(ROOT / "domain.yml"))
    first_session = [ActionExecuted("action_listen"), UserUttered("ik woon in kerkrade")]
    first_session += [SlotSet(name, value) for name, value in resident.slots.items()]
    tracker = DialogueStateTracker.from_events("returning", first_session, slots=rasa_domain.slots)
    assert tracker.get_slot("conversation_counted") is True
    # act: the session expires (or "/session_start"): Rasa runs action_session_start, then the resident writes
    for event in await ActionSessionStart().run(None, None, tracker, rasa_domain):  # type: ignore[arg-type]
        tracker.update(event)
    returned = Resident(domain, tracker.current_slot_values())
    await returned.say(ActionAnswerTopic(), "Waar is het informatiepunt?", "informatiepunt")
    # assert: counted again, and the municipality was not passed on (the bot asks for it)
    assert kinds(outbox)["conversation_started"] == 2
    assert returned.slots["awaiting_place"] is True
    assert tracker.current_slot_values()["gemeente"] is None


def test_the_domain_carries_no_slot_into_a_new_session(domain):
    assert domain["session_config"]["carry_over_slots_to_new_session"] is False
    assert domain["session_config"]["session_expiration_time"] > 0


async def test_later_turns_of_the_same_session_are_not_counted_again(domain, outbox):
    resident = Resident(domain)
    await resident.say(ActionAnswerTopic(), "hallo", "begroeting")
    await resident.say(ActionAnswerTopic(), "wat is phishing", "online_veiligheid")
    await resident.say(ActionSimplify(), "/simpler", "simpler")
    assert kinds(outbox)["conversation_started"] == 1


# --- one feedback event per answer asked about ---------------------------------------------------------------


async def test_only_the_first_yes_or_no_on_an_answer_is_counted(domain, outbox):
    # arrange
    resident = await answered_phishing(domain)
    # act
    first = await resident.say(ActionRecordFeedback(), "/affirm", "affirm")
    second = await resident.say(ActionRecordFeedback(), "/affirm", "affirm")
    third = await resident.say(ActionRecordFeedback(), "nee", "deny")
    # assert: one event; the later answers are still friendly, and a "no" still offers a person
    assert feedback_given(outbox) == [("online_veiligheid", True)]
    assert first == [CATALOG.message("feedback_thanks")]
    assert second == [CATALOG.message("feedback_again")]
    assert third == [CATALOG.message("feedback_sorry")]
    assert resident.slots.get("feedback_topic") is None


async def test_each_answer_asked_about_gets_its_own_feedback(domain, outbox):
    resident = await answered_phishing(domain)
    await resident.say(ActionRecordFeedback(), "/deny", "deny")
    await resident.say(ActionAnswerTopic(), "hoe krijg ik digid", "digid_aanvragen")
    await resident.say(ActionSimplify(), "/simpler", "simpler")
    await resident.say(ActionRecordFeedback(), "ja", "affirm")
    await resident.say(ActionRecordFeedback(), "ja", "affirm")
    assert feedback_given(outbox) == [("online_veiligheid", False), ("digid_aanvragen", True)]


async def test_a_yes_after_another_question_of_the_bot_is_not_feedback(domain, outbox):
    resident = await answered_phishing(domain)
    await resident.say(ActionAnswerTopic(), "Waar is het informatiepunt?", "informatiepunt")
    await resident.say(ActionRecordFeedback(), "ja", "affirm")
    assert kinds(outbox)["feedback"] == 0


async def test_yes_without_any_answer_is_not_understood(domain, outbox):
    reply = await Resident(domain).say(ActionRecordFeedback(), "ja", "affirm")
    assert reply == [CATALOG.topics["buiten_bereik"].answer]
    assert kinds(outbox)["feedback"] == 0


# --- a hand-off keeps the topic it was asked about, and its referrals ----------------------------------------


async def test_handoff_before_the_place_keeps_its_topic_and_referrals(domain, outbox):
    # arrange: a question about debts, then "a person, please" while the municipality is unknown
    resident = Resident(domain)
    await resident.say(ActionAnswerTopic(), "ik heb schulden", "geldzaken")
    before_handoff = len(outbox_events(outbox))
    asked = await resident.say(ActionAnswerTopic(), "ik wil iemand spreken", "medewerker")
    # the way to a person comes first (only confirmed facts; geldfit's number is assumed), then the question;
    # that first reply counts nothing: the hand-off and its referrals count once the municipality is known
    assert asked == [CATALOG.message("handoff_general"), CATALOG.message("ask_place")]
    before = len(outbox_events(outbox))
    assert before == before_handoff
    # act
    reply = "\n".join(
        await resident.say(
            ActionResolvePlace(), "Kerkrade", "inform_place", [{"entity": "place", "value": "Kerkrade"}]
        )
    )
    # assert: the debts referral and the way to a person, all counted under the topic asked about
    assert "GeldWijzerWinkel" in reply and "Informatiepunt Digitale Overheid" in reply
    events = outbox_events(outbox)[before:]
    handoff = [(e["topic"], e["gemeente"]) for e in events if e["kind"] == "handoff_requested"]
    assert handoff == [("geldzaken", "kerkrade")]
    referred = {e["target"]: e["topic"] for e in events if e["kind"] == "referred"}
    assert referred["geldwijzerwinkel"] == "geldzaken"
    assert set(referred.values()) == {"geldzaken"}
    assert {"informatiepunt", "bibliotheek"} <= set(referred)
    assert resident.slots.get("handoff_topic") is None and resident.slots["topic"] == "medewerker"


async def test_handoff_with_a_known_place_counts_its_referrals_under_the_topic(domain, outbox):
    resident = Resident(domain, {"gemeente": "kerkrade"})
    await resident.say(ActionAnswerTopic(), "ik heb schulden", "geldzaken")
    before = len(outbox_events(outbox))
    await resident.say(ActionAnswerTopic(), "kan ik iemand spreken", "medewerker")
    events = outbox_events(outbox)[before:]
    assert {e["topic"] for e in events if e["kind"] in ("referred", "handoff_requested")} == {"geldzaken"}


async def test_handoff_about_nothing_counts_as_a_handoff_without_topic(domain, outbox):
    resident = Resident(domain, {"gemeente": "brunssum"})
    await resident.say(ActionAnswerTopic(), "hallo", "begroeting")
    await resident.say(ActionAnswerTopic(), "ik wil een mens spreken", "medewerker")
    events = outbox_events(outbox)
    assert [e["topic"] for e in events if e["kind"] == "handoff_requested"] == [None]
    referred = [(e["target"], e["topic"]) for e in events if e["kind"] == "referred"]
    assert referred == [("informatiepunt", "medewerker"), ("bibliotheek", "medewerker")]


async def test_a_handoff_waiting_for_the_place_forgets_its_topic_after_another_answer(domain, outbox):
    resident = Resident(domain)
    await resident.say(ActionAnswerTopic(), "ik heb schulden", "geldzaken")
    await resident.say(ActionAnswerTopic(), "ik wil iemand spreken", "medewerker")
    await resident.say(ActionAnswerTopic(), "wat is phishing", "online_veiligheid")
    assert resident.slots.get("handoff_topic") is None
    await resident.say(ActionAnswerTopic(), "ik wil iemand spreken", "medewerker")
    assert resident.slots.get("handoff_topic") == "online_veiligheid"


# --- a referral is counted once per answer shown -------------------------------------------------------------


async def test_a_referral_is_counted_once_per_answer_that_shows_it(domain, outbox):
    # arrange: an answer without a place (helplines only), then the same answer with local help
    resident = Resident(domain)
    await resident.say(ActionAnswerTopic(), "hoe vraag ik zorgtoeslag aan", "toeslagen")
    await resident.say(ActionSimplify(), "/simpler", "simpler")
    await resident.say(ActionRecordFeedback(), "/affirm", "affirm")
    await resident.say(ActionResolvePlace(), "/inform_place", "inform_place")
    # act
    await resident.say(
        ActionResolvePlace(), "brunssum", "inform_place", [{"entity": "place", "value": "brunssum"}]
    )
    await resident.say(ActionSimplify(), "/simpler", "simpler")
    # assert: the helpline was shown twice, the desk once; "simpler", feedback and the place question show none
    referred = Counter(e["target"] for e in outbox_events(outbox) if e["kind"] == "referred")
    assert referred == {"belastingtelefoon": 2, "informatiepunt": 1}


async def test_a_target_in_both_the_topic_and_the_handoff_is_one_referral(domain, outbox):
    resident = Resident(domain, {"gemeente": "voerendaal"})
    await resident.say(ActionAnswerTopic(), "hoe krijg ik digid", "digid_aanvragen")
    before = len(outbox_events(outbox))
    reply = "\n".join(await resident.say(ActionAnswerTopic(), "kan ik iemand spreken", "medewerker"))
    targets = [e["target"] for e in outbox_events(outbox)[before:] if e["kind"] == "referred"]
    assert targets.count("informatiepunt") == 1 == reply.count("Informatiepunt Digitale Overheid –")


async def test_two_blocks_of_one_target_in_one_place_are_one_referral(domain, outbox, monkeypatch):
    from actions import replies
    from knowledge.referrals import referrals_for

    def doubled(*args: Any) -> list[Any]:
        refs = referrals_for(*args)
        return refs + refs

    monkeypatch.setattr(replies, "referrals_for", doubled)
    await Resident(domain, {"gemeente": "simpelveld"}).say(
        ActionAnswerTopic(), "informatiepunt", "informatiepunt"
    )
    referred = [(e["target"], e["gemeente"]) for e in outbox_events(outbox) if e["kind"] == "referred"]
    assert referred == [("informatiepunt", "simpelveld")]
