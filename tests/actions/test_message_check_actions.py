"""The "Is dit bericht echt?" dialogue in the actions: ask, check the next message, forwarded messages at once,
a new question instead, "Zeg het simpeler", the Fraudehelpdesk referral and what is counted (never text)."""

from __future__ import annotations

import json

from actions.rasa_actions import ActionAnswerTopic, ActionResolvePlace, ActionSimplify
from knowledge import load_catalog
from tests.actions.action_support import make_tracker, outbox_events, slot_events, texts

CATALOG = load_catalog()
CHECK = CATALOG.message_check
SCAM = (
    "Belastingdienst: u heeft nog een openstaande aanslag. Betaal vandaag nog via www.belasting-betalen.com "
    "anders volgt de deurwaarder."
)
GENUINE = (
    "Hoi, zullen we morgen om 10 uur koffie drinken bij de bibliotheek? Groetjes, Anja en Piet en de kinderen"
)


def _forwarded(tracker):
    tracker.latest_message["metadata"] = {"forwarded": True}
    return tracker


async def test_the_request_asks_for_the_message_and_waits(dispatcher, domain, outbox):
    events = await ActionAnswerTopic().run(
        dispatcher, make_tracker("is dit bericht echt?", "bericht_controleren"), domain
    )
    assert texts(dispatcher) == [CATALOG.topics["bericht_controleren"].answer]
    assert "codes" in texts(dispatcher)[0]
    slots = slot_events(events)
    assert slots["awaiting_message_check"] is True and slots["topic"] == "bericht_controleren"


async def test_the_next_message_is_checked_with_quotes_referral_and_advice(dispatcher, domain, outbox):
    slots = {"awaiting_message_check": True, "topic": "bericht_controleren"}
    tracker = make_tracker(SCAM, "belastingaangifte", slots=slots)
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    first, second = texts(dispatcher)
    assert first.startswith(CHECK.verdicts["likely_scam"].text)
    assert '"www.belasting-betalen.com"' in first and "belastingdienst.nl" in first
    assert '"vandaag nog"' in first
    assert "Fraudehelpdesk" in second and "088 786 73 72" in second
    assert CHECK.after.items[1] in second
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/simpler", "/medewerker"]
    slots = slot_events(events)
    assert slots["awaiting_message_check"] is False
    assert "belasting-betalen" not in slots["message_check_result"]  # only verdict and ids are remembered
    assert json.loads(slots["message_check_result"])["verdict"] == "likely_scam"


async def test_only_verdict_and_signal_ids_are_counted(dispatcher, domain, outbox):
    tracker = make_tracker(SCAM, "belastingaangifte", slots={"awaiting_message_check": True})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    events = outbox_events(outbox)
    checked = [e for e in events if e["kind"] == "message_checked"]
    signals = {e["target"] for e in events if e["kind"] == "message_signal"}
    assert [e["target"] for e in checked] == ["likely_scam"]
    assert {"link_niet_officieel", "dreiging_haast", "betaalverzoek"} <= signals
    assert {"kind": "referred", "target": "fraudehelpdesk"}.items() <= next(
        e for e in events if e["kind"] == "referred"
    ).items()
    dumped = json.dumps(events)
    assert "belasting-betalen" not in dumped and "deurwaarder" not in dumped


async def test_no_signals_never_says_safe_and_has_no_referral(dispatcher, domain, outbox):
    tracker = make_tracker(GENUINE, "bibliotheek", slots={"awaiting_message_check": True})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    [only] = texts(dispatcher)
    assert only.startswith(CHECK.verdicts["no_signals"].text)
    assert "veilig" not in only.lower() and "Fraudehelpdesk" not in only
    assert [e["target"] for e in outbox_events(outbox) if e["kind"] == "message_checked"] == ["no_signals"]


async def test_a_forwarded_message_is_checked_without_asking(dispatcher, domain, outbox):
    tracker = _forwarded(make_tracker(SCAM, "belastingaangifte"))
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(CHECK.verdicts["likely_scam"].text)


async def test_without_forward_or_request_the_same_text_is_answered_as_a_topic(dispatcher, domain, outbox):
    await ActionAnswerTopic().run(dispatcher, make_tracker(SCAM, "belastingaangifte"), domain)
    assert texts(dispatcher)[0].startswith(CATALOG.topics["belastingaangifte"].answer)
    assert not any(e["kind"] == "message_checked" for e in outbox_events(outbox))


async def test_a_clear_new_question_while_waiting_is_answered_and_stops_waiting(dispatcher, domain, outbox):
    tracker = make_tracker(
        "waar kan ik mijn toeslag aanvragen", "toeslagen", slots={"awaiting_message_check": True}
    )
    tracker.latest_message["intent"]["confidence"] = 0.97
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert not texts(dispatcher)[0].startswith(tuple(v.text for v in CHECK.verdicts.values()))
    assert slot_events(events)["awaiting_message_check"] is False


async def test_a_pasted_message_naming_a_village_is_checked_not_taken_as_a_place(dispatcher, domain, outbox):
    text = "Gemeente Kerkrade: uw pas wordt vandaag nog geblokkeerd. Bevestig uw gegevens via kerkrade-pas.info"
    tracker = make_tracker(text, "inform_place", slots={"awaiting_message_check": True})
    await ActionResolvePlace().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(CHECK.verdicts["likely_scam"].text)


async def test_the_request_with_the_message_in_it_is_checked_at_once(dispatcher, domain, outbox):
    text = "is dit echt? " + SCAM
    await ActionAnswerTopic().run(dispatcher, make_tracker(text, "bericht_controleren"), domain)
    assert texts(dispatcher)[0].startswith(CHECK.verdicts["likely_scam"].text)


async def test_say_it_simpler_after_a_check_gives_the_simple_verdict(dispatcher, domain, outbox):
    tracker = make_tracker(SCAM, "belastingaangifte", slots={"awaiting_message_check": True})
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    simple_dispatcher = type(dispatcher)()
    await ActionSimplify().run(simple_dispatcher, make_tracker("/simpler", "simpler", slots=slots), domain)
    [simple] = texts(simple_dispatcher)
    assert simple.startswith(CHECK.verdicts["likely_scam"].simple)
    assert "de Belastingdienst" in simple and CHECK.after.simple in simple
    assert "belasting-betalen" not in simple


async def test_say_it_simpler_after_the_request_gives_the_topic_simple(dispatcher, domain, outbox):
    slots = {"topic": "bericht_controleren", "awaiting_message_check": True, "message_check_result": None}
    await ActionSimplify().run(dispatcher, make_tracker("/simpler", "simpler", slots=slots), domain)
    assert texts(dispatcher) == [CATALOG.topics["bericht_controleren"].simple]
