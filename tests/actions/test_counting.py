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

from actions.answer_topic import ActionAnswerTopic
from actions.simplify import ActionSimplify
from tests.actions.action_support import make_tracker, outbox_events, slot_events, texts

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
