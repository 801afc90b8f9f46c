from __future__ import annotations

import pytest

from actions.rasa_actions import ActionAnswerTopic
from knowledge import load_catalog
from tests.actions.action_support import (
    FRIDAY_MORNING,
    HUB_TIMES_ASSUMED,
    HUB_TIMES_CONFIRMED,
    WEDNESDAY_EVENING,
    edited_content,
    make_tracker,
    outbox_events,
    slot_events,
    texts,
)

CATALOG = load_catalog()


async def run(tracker, dispatcher, domain):
    return await ActionAnswerTopic().run(dispatcher, tracker, domain)


async def test_topic_answer_has_text_steps_links_and_feedback_buttons(dispatcher, domain, outbox):
    topic = CATALOG.topics["digid_aanvragen"]
    events = await run(make_tracker("hoe krijg ik digid", "digid_aanvragen"), dispatcher, domain)
    first = texts(dispatcher)[0]
    assert first.startswith(topic.answer)
    assert topic.steps[0] in first and topic.links[0].url in first
    payloads = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert payloads[:3] == ["/affirm", "/deny", "/simpler"]
    assert slot_events(events)["topic"] == "digid_aanvragen"
    kinds = [e["kind"] for e in outbox_events(outbox)]
    assert kinds[0] == "conversation_started" and "answered" in kinds


async def test_topic_with_local_help_offers_help_nearby_when_place_unknown(dispatcher, domain, outbox):
    await run(make_tracker("toeslag", "toeslagen"), dispatcher, domain)
    payloads = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert "/inform_place" in payloads


async def test_place_needed_topic_asks_where_the_resident_lives(dispatcher, domain, outbox):
    events = await run(make_tracker("Waar is het informatiepunt?", "informatiepunt"), dispatcher, domain)
    assert texts(dispatcher) == [CATALOG.message("ask_place")]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Kerkrade", "Brunssum", "Voerendaal", "Simpelveld"]
    assert slot_events(events) == {
        "conversation_counted": True,
        "topic": "informatiepunt",
        "awaiting_place": True,
    }


async def test_outside_place_in_the_question_is_answered_honestly_not_asked_again(dispatcher, domain, outbox):
    tracker = make_tracker("ik woon in Hoensbroek, waar is het informatiepunt", "informatiepunt")
    events = await run(tracker, dispatcher, domain)
    said = texts(dispatcher)
    assert CATALOG.message("ask_place") not in said
    assert said[0].startswith(CATALOG.message("place_outside_part_of", place="Hoensbroek", gemeente="Heerlen"))
    assert "Bibliotheek Heerlen" in said[0]
    assert "Brunssum" in "\n".join(said[1:])  # the answer for our nearest library
    assert slot_events(events)["gemeente"] == "brunssum"


@pytest.mark.parametrize(
    "text",
    [
        "ik woon aan de gracht, waar is het informatiepunt",
        "er zit een vink in de tuin, waar is het informatiepunt",
    ],
)
async def test_an_everyday_word_is_no_place_and_the_bot_asks(text, dispatcher, domain, outbox):
    events = await run(make_tracker(text, "informatiepunt"), dispatcher, domain)
    assert texts(dispatcher) == [CATALOG.message("ask_place")]
    assert "gemeente" not in slot_events(events)


async def test_an_everyday_word_alone_answers_the_place_question(dispatcher, domain, outbox):
    slots = {"topic": "informatiepunt", "awaiting_place": True}
    events = await run(make_tracker("Gracht", "informatiepunt", slots=slots), dispatcher, domain)
    assert slot_events(events)["gemeente"] == "kerkrade"


async def test_place_in_the_same_message_answers_for_that_place(dispatcher, domain, outbox):
    tracker = make_tracker("ik woon in eygelshoven, wanneer is het e-cafe", "e_cafe")
    events = await run(tracker, dispatcher, domain)
    referral = texts(dispatcher)[1]
    assert "E-café – HuB. Bibliotheek Kerkrade" in referral
    # no E-café times are known: the bot says so and how to find out, and invents no dates
    assert f"{CATALOG.message('no_upcoming')} {CATALOG.message('find_out_website')}" in referral
    assert "Volgende keren" not in referral and "dinsdag" not in referral
    assert slot_events(events)["gemeente"] == "kerkrade"
    referred = [e for e in outbox_events(outbox) if e["kind"] == "referred"]
    assert referred and referred[0]["target"] == "e_cafe" and referred[0]["gemeente"] == "kerkrade"


async def test_handoff_with_assumed_times_says_neither_open_nor_when(dispatcher, domain, outbox, monkeypatch):
    slots = {"gemeente": "kerkrade"}
    for moment in (WEDNESDAY_EVENING, FRIDAY_MORNING):
        monkeypatch.setenv("WEGWIJZER_NOW", moment)
        dispatcher = type(dispatcher)()
        await run(make_tracker("Ik wil een mens spreken", "medewerker", slots=slots), dispatcher, domain)
        reply = "\n".join(texts(dispatcher))
        assert "Nu open" not in reply and CATALOG.message("closed_now") not in reply
        assert "Volgende keren" not in reply and "28 november" not in reply
        assert CATALOG.message("hours_unchecked") in reply
    assert "handoff_requested" in [e["kind"] for e in outbox_events(outbox)]


async def test_handoff_says_honestly_whether_staff_are_there_now_once_confirmed(
    dispatcher, domain, outbox, monkeypatch, tmp_path, use_content
):
    use_content(edited_content(tmp_path, ("locations.yml", HUB_TIMES_ASSUMED, HUB_TIMES_CONFIRMED)))
    slots = {"gemeente": "kerkrade"}
    await run(make_tracker("Ik wil een mens spreken", "medewerker", slots=slots), dispatcher, domain)
    assert CATALOG.message("closed_now") in "\n".join(texts(dispatcher))
    assert "vrijdag 28 november, 10:00–12:00" in "\n".join(texts(dispatcher))

    monkeypatch.setenv("WEGWIJZER_NOW", FRIDAY_MORNING)
    open_dispatcher = type(dispatcher)()
    await run(make_tracker("Ik wil een mens spreken", "medewerker", slots=slots), open_dispatcher, domain)
    assert CATALOG.message("open_now", until="12:00") in "\n".join(texts(open_dispatcher))


async def test_handoff_after_a_topic_includes_that_topics_referrals(dispatcher, domain, outbox):
    slots = {"gemeente": "kerkrade", "topic": "geldzaken"}
    await run(make_tracker("kan ik iemand spreken", "medewerker", slots=slots), dispatcher, domain)
    assert "GeldWijzerWinkel" in "\n".join(texts(dispatcher))


async def test_not_understood_is_honest_with_suggestions_and_a_person(dispatcher, domain, outbox):
    ranking = [
        ("nlu_fallback", 0.5),
        ("toeslagen", 0.3),
        ("begroeting", 0.1),
        ("email", 0.05),
        ("digid_problemen", 0.03),
        ("privacy", 0.01),
    ]
    await run(make_tracker("blabla", "nlu_fallback", ranking=ranking), dispatcher, domain)
    message = dispatcher.messages[0]
    assert message["text"] == CATALOG.topics["buiten_bereik"].answer
    assert message["text"].startswith("Ik begrijp uw vraag niet goed")
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/toeslagen", "/email", "/digid_problemen", "/medewerker"]
    assert "not_understood" in [e["kind"] for e in outbox_events(outbox)]


async def test_bare_place_while_asked_counts_as_the_place(dispatcher, domain, outbox):
    slots = {"topic": "informatiepunt", "awaiting_place": True}
    tracker = make_tracker("simpelveldt", "buiten_bereik", slots=slots)
    events = await run(tracker, dispatcher, domain)
    assert "Informatiepunt Digitale Overheid – Bibliotheek Simpelveld" in "\n".join(texts(dispatcher))
    assert slot_events(events)["gemeente"] == "simpelveld"


@pytest.mark.parametrize("topic_id", sorted(t for t in CATALOG.topics if t != "buiten_bereik"))
async def test_every_topic_gets_its_own_answer(topic_id, dispatcher, domain, outbox):
    slots = {"gemeente": "brunssum"}
    await run(make_tracker("vraag", topic_id, slots=slots), dispatcher, domain)
    assert texts(dispatcher)[0].startswith(CATALOG.topics[topic_id].answer)


async def test_bot_identity_says_it_is_a_computer_program(dispatcher, domain, outbox):
    await run(make_tracker("ben jij een robot?", "bot_vraag"), dispatcher, domain)
    assert "computerprogramma" in texts(dispatcher)[0].lower() or "digitale assistent" in texts(dispatcher)[0]


# --- the way to a person (issue 9, item 5) ------------------------------------------------------------


async def test_a_person_before_the_place_names_the_way_first_then_asks_the_place(dispatcher, domain, outbox):
    events = await run(make_tracker("Ik wil een mens spreken", "medewerker"), dispatcher, domain)
    first, question = texts(dispatcher)
    # no library desk has a confirmed address or phone number yet: the general way (the website)
    assert first == CATALOG.message("handoff_general")
    assert "www.bibliotheekkerkrade.nl" in first
    assert question == CATALOG.message("ask_place")
    assert [b["title"] for b in dispatcher.messages[1]["buttons"]] == [
        "Kerkrade",
        "Brunssum",
        "Voerendaal",
        "Simpelveld",
    ]
    assert slot_events(events)["awaiting_place"] is True


async def test_a_person_before_the_place_shows_only_confirmed_facts(dispatcher, domain, outbox):
    await run(make_tracker("Ik wil een mens spreken", "medewerker"), dispatcher, domain)
    first = texts(dispatcher)[0]
    for assumed in ("Martin Buberplein", "vrijdag", "045 763 05 20", "binnenlopen", "gecontroleerd"):
        assert assumed not in first


async def test_a_person_after_a_topic_names_its_confirmed_helpline_first(dispatcher, domain, outbox):
    slots = {"topic": "online_veiligheid"}
    await run(make_tracker("kan ik iemand bellen", "medewerker", slots=slots), dispatcher, domain)
    first = texts(dispatcher)[0]
    assert first.startswith(CATALOG.message("handoff_contacts_intro"))
    assert "Fraudehelpdesk\nTelefoon: 088 786 73 72\nTijden: Werkdagen van 9.00 tot 17.00 uur." in first
    assert first.endswith(CATALOG.message("handoff_general"))


async def test_an_assumed_helpline_number_is_not_the_way_to_a_person(dispatcher, domain, outbox):
    slots = {"topic": "digid_problemen"}  # the DigiD Helpdesk's number is only assumed
    await run(make_tracker("ik wil een mens spreken", "medewerker", slots=slots), dispatcher, domain)
    assert texts(dispatcher)[0] == CATALOG.message("handoff_general")


async def test_a_confirmed_library_phone_is_named_before_the_place(
    dispatcher, domain, outbox, tmp_path, use_content
):
    confirmed_phone = (
        "    phone:\n      value: 045 000 00 00\n      state: confirmed\n      source: ido_2021\n"
        "      checked_on: 2025-11-20\n      confirmed_by: medewerker bibliotheek\n"
    )
    catalog = use_content(
        edited_content(tmp_path, ("locations.yml", "    phone: null\n    url: https://www.bibliotheekkerkrade.nl\n",
                                  confirmed_phone + "    url: https://www.bibliotheekkerkrade.nl\n"))
    )  # fmt: skip
    await run(make_tracker("Ik wil een mens spreken", "medewerker"), dispatcher, domain)
    first = texts(dispatcher)[0]
    assert first == "\n\n".join(
        [catalog.message("handoff_contacts_intro"), "HuB. Bibliotheek Kerkrade\nTelefoon: 045 000 00 00"]
    )


async def test_the_municipality_then_narrows_the_way_to_a_person(dispatcher, domain, outbox):
    from actions.rasa_actions import ActionResolvePlace

    slots = {"topic": "medewerker", "awaiting_place": True}
    entities = [{"entity": "place", "value": "Bocholtz"}]
    tracker = make_tracker("Bocholtz", "inform_place", slots=slots, entities=entities)
    await ActionResolvePlace().run(dispatcher, tracker, domain)
    reply = "\n".join(texts(dispatcher))
    assert "Informatiepunt Digitale Overheid – Bibliotheek Simpelveld" in reply
    assert "Kerkrade" not in reply.replace("bibliotheekkerkrade", "")
