from __future__ import annotations

import re
from pathlib import Path

import actions
from actions.rasa_actions import ActionRecordFeedback, ActionResolvePlace, ActionSimplify
from knowledge import load_catalog
from tests.actions.action_support import make_tracker, outbox_events, slot_events, texts

CATALOG = load_catalog()


async def test_bocholtz_after_the_question_gives_the_simpelveld_informatiepunt(dispatcher, domain, outbox):
    slots = {"topic": "informatiepunt", "awaiting_place": True}
    entities = [{"entity": "place", "value": "Bocholtz"}]
    tracker = make_tracker("Bocholtz", "inform_place", slots=slots, entities=entities)
    events = await ActionResolvePlace().run(dispatcher, tracker, domain)
    joined = "\n".join(texts(dispatcher))
    assert "Informatiepunt Digitale Overheid – Bibliotheek Simpelveld" in joined
    # the Friday times and "no appointment needed" are assumptions: neither is shown as a fact
    assert CATALOG.message("hours_unchecked") in joined
    assert "vrijdag" not in joined and "Een afspraak is niet nodig" not in joined
    assert slot_events(events)["gemeente"] == "simpelveld"


async def test_place_button_payload_is_resolved(dispatcher, domain, outbox):
    tracker = make_tracker(
        '/inform_place{"place":"brunssum"}',
        "inform_place",
        entities=[{"entity": "place", "value": "brunssum"}],
    )
    events = await ActionResolvePlace().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [CATALOG.message("place_remembered", gemeente="Brunssum")]
    assert slot_events(events)["gemeente"] == "brunssum"


async def test_unknown_place_asks_again(dispatcher, domain, outbox):
    tracker = make_tracker("ik woon in Groningen", "inform_place")
    await ActionResolvePlace().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [CATALOG.message("place_unknown")]
    assert len(dispatcher.messages[0]["buttons"]) == 4


async def test_place_outside_the_area_names_the_nearest(dispatcher, domain, outbox):
    tracker = make_tracker(
        "ik woon in Heerlen",
        "inform_place",
        slots={"topic": "informatiepunt", "awaiting_place": True},
    )
    events = await ActionResolvePlace().run(dispatcher, tracker, domain)
    first = texts(dispatcher)[0]
    assert first.startswith(CATALOG.message("place_outside", place="Heerlen"))
    # where to look instead: the library of Heerlen, which places.yml names from a source
    assert (
        CATALOG.message(
            "place_outside_library_url", library="Bibliotheek Heerlen", url="https://www.bibliotheekheerlen.nl"
        )
        in first
    )
    assert first.endswith(CATALOG.message("place_outside_nearest", nearest="Voerendaal"))
    assert "Informatiepunt Digitale Overheid" in texts(dispatcher)[1]  # then the answer for Voerendaal
    assert slot_events(events)["gemeente"] == "voerendaal"


async def test_a_village_outside_is_named_with_its_own_municipality(dispatcher, domain, outbox):
    tracker = make_tracker(
        "Schinveld", "inform_place", slots={"topic": "informatiepunt", "awaiting_place": True}
    )
    await ActionResolvePlace().run(dispatcher, tracker, domain)
    first = texts(dispatcher)[0]
    assert first.startswith(CATALOG.message("place_outside_part_of", place="Schinveld", gemeente="Beekdaelen"))
    # no library named by a source: the municipality's own website is where to look
    assert CATALOG.message("place_outside_website", gemeente="Beekdaelen") in first
    assert "Brunssum" in first


async def test_outside_place_without_a_question_does_not_claim_the_resident_lives_with_us(
    dispatcher, domain, outbox
):
    tracker = make_tracker("ik woon in Herzogenrath", "inform_place")
    await ActionResolvePlace().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert len(said) == 1
    assert CATALOG.message("place_outside_abroad", gemeente="Herzogenrath") in said[0]
    assert said[0].endswith(CATALOG.message("place_outside_nearest_only", nearest="Kerkrade"))
    assert "Ik onthoud dat u in" not in said[0]


async def test_hoensbroek_is_no_longer_an_unknown_place(dispatcher, domain, outbox):
    tracker = make_tracker(
        "Hoensbroek", "inform_place", slots={"topic": "informatiepunt", "awaiting_place": True}
    )
    events = await ActionResolvePlace().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0] != CATALOG.message("place_unknown")
    assert "gemeente Heerlen" in texts(dispatcher)[0]
    assert slot_events(events)["gemeente"] == "brunssum"


async def test_help_nearby_button_without_place_asks_for_it(dispatcher, domain, outbox):
    tracker = make_tracker("/inform_place", "inform_place", slots={"topic": "toeslagen"})
    events = await ActionResolvePlace().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [CATALOG.message("ask_place")]
    assert slot_events(events)["awaiting_place"] is True


async def test_simpler_gives_the_simple_version_of_the_last_topic(dispatcher, domain, outbox):
    tracker = make_tracker("zeg het simpeler", "simpler", slots={"topic": "toeslagen"})
    await ActionSimplify().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [CATALOG.topics["toeslagen"].simple]


async def test_simpler_without_a_topic_asks_for_the_question(dispatcher, domain, outbox):
    await ActionSimplify().run(dispatcher, make_tracker("simpeler", "simpler"), domain)
    assert texts(dispatcher) == [CATALOG.message("simpler_without_topic")]


async def test_feedback_is_counted(dispatcher, domain, outbox):
    slots = {"topic": "email", "feedback_topic": "email", "conversation_counted": True}
    await ActionRecordFeedback().run(dispatcher, make_tracker("/deny", "deny", slots=slots), domain)
    assert texts(dispatcher) == [CATALOG.message("feedback_sorry")]
    events = outbox_events(outbox)
    assert [(e["kind"], e["topic"], e["helpful"]) for e in events] == [("feedback", "email", False)]


async def test_webchat_channel_is_counted_as_web(dispatcher, domain, outbox):
    tracker = make_tracker("hallo", "begroeting", input_channel="webchat")
    from actions.rasa_actions import ActionAnswerTopic

    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert {e["channel"] for e in outbox_events(outbox)} == {"web"}


def test_action_names_match_the_domain_and_class_names(domain):
    declared = set(domain["actions"])
    registered = {cls().name(): cls.__name__ for cls in (getattr(actions, n) for n in actions.__all__)}
    assert set(registered) == declared
    for name, class_name in registered.items():
        camel = "".join(part.capitalize() for part in name.split("_"))
        assert camel == class_name


def test_slots_used_in_code_exist_in_the_domain(domain):
    from actions import names

    slots = {v for k, v in vars(names).items() if k.startswith("SLOT_")}
    assert slots <= set(domain["slots"])


def test_every_topic_has_an_intent_and_a_rule(domain):
    rules = (Path(__file__).resolve().parents[2] / "data" / "rules" / "topics.yml").read_text()
    for topic_id in CATALOG.topics:
        assert topic_id in domain["intents"]
        assert re.search(rf"- intent: {topic_id}\n  - action: action_answer_topic", rules), topic_id


async def test_masked_personal_data_gets_a_kind_warning_first(dispatcher, domain, outbox):
    from actions.rasa_actions import ActionAnswerTopic

    tracker = make_tracker("mijn bsn is [BSN] en mijn toeslag klopt niet", "toeslagen")
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0] == CATALOG.message("pii_warning")
    assert texts(dispatcher)[1].startswith(CATALOG.topics["toeslagen"].answer)


async def test_a_masked_name_alone_gets_no_warning_but_an_address_does(dispatcher, domain, outbox):
    from actions.rasa_actions import ActionAnswerTopic

    await ActionAnswerTopic().run(
        dispatcher, make_tracker("ik ben [NAAM], mijn toeslag klopt niet", "toeslagen"), domain
    )
    assert texts(dispatcher)[0].startswith(CATALOG.topics["toeslagen"].answer)
    dispatcher.messages.clear()
    tracker = make_tracker("ik woon op [ADRES], mijn toeslag klopt niet", "toeslagen")
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0] == CATALOG.message("pii_warning")


async def test_no_warning_without_personal_data(dispatcher, domain, outbox):
    await ActionSimplify().run(
        dispatcher, make_tracker("simpeler", "simpler", slots={"topic": "email"}), domain
    )
    assert CATALOG.message("pii_warning") not in texts(dispatcher)
