"""The conversations of the foundation issue, over Rasa's REST webhook with the real trained model."""

from __future__ import annotations

from knowledge import load_catalog
from tests.http.chat_support import buttons, joined

CATALOG = load_catalog()


def test_informatiepunt_asks_the_place_then_bocholtz_gives_simpelveld(chat):
    first = chat.say("Waar is het informatiepunt?")
    assert CATALOG.message("ask_place") in joined(first)
    assert [b["title"] for b in buttons(first)] == [
        "Kerkrade",
        "Brunssum",
        "Voerendaal",
        "Simpelveld",
    ]
    second = joined(chat.say("Bocholtz"))
    assert "Informatiepunt Digitale Overheid – Bibliotheek Simpelveld" in second
    # the Friday times and "no appointment needed" are assumptions: not shown as facts
    assert CATALOG.message("hours_unchecked") in second
    assert "vrijdag 10:00–12:00" not in second and "Een afspraak is niet nodig" not in second


def test_place_button_payload_continues_the_question(chat):
    chat.say("waar is het informatiepunt")
    reply = joined(chat.say('/inform_place{"place":"brunssum"}'))
    assert "Informatiepunt Digitale Overheid – Bibliotheek Brunssum" in reply


def test_ecafe_for_eygelshoven_is_the_kerkrade_one_without_invented_dates(chat):
    reply = joined(chat.say("ik woon in eygelshoven, wanneer is het e-cafe"))
    assert "E-café – HuB. Bibliotheek Kerkrade" in reply
    assert CATALOG.message("no_upcoming") in reply and "Volgende keren" not in reply


def test_human_handoff_with_a_known_place_does_not_guess_whether_staff_are_there(chat):
    chat.say("ik woon in kerkraad")
    reply = joined(chat.say("Ik wil een mens spreken"))
    assert "Informatiepunt Digitale Overheid – HuB. Bibliotheek Kerkrade" in reply
    assert CATALOG.message("hours_unchecked") in reply
    assert CATALOG.message("closed_now") not in reply and "Nu open" not in reply


def test_human_handoff_before_the_place_names_the_way_to_a_person_first(chat):
    first = chat.say("Ik wil een mens spreken")
    assert CATALOG.message("handoff_general") in joined(first)
    assert CATALOG.message("ask_place") in joined(first)
    assert [b["title"] for b in buttons(first)] == ["Kerkrade", "Brunssum", "Voerendaal", "Simpelveld"]


def test_out_of_scope_is_honest_with_suggestions_and_a_person(chat):
    reply = chat.say("wat voor weer wordt het morgen in maastricht")
    assert joined(reply).startswith("Ik begrijp uw vraag niet goed")
    payloads = [b["payload"] for b in buttons(reply)]
    assert payloads[-1] == "/medewerker"
    assert 1 <= len(payloads) <= 4


def test_gibberish_is_not_understood(chat):
    assert joined(chat.say("asdkjh qwpoeiru zxmcnv")).startswith("Ik begrijp uw vraag niet goed")


def test_bot_says_it_is_a_computer_program(chat):
    reply = joined(chat.say("ben jij een robot?"))
    assert reply.startswith(CATALOG.topics["bot_vraag"].answer[:40])


def test_simpler_button_gives_the_simple_version(chat):
    chat.say("ik ben mijn digid wachtwoord vergeten")
    reply = joined(chat.say("/simpler"))
    assert reply == CATALOG.topics["digid_problemen"].simple


def test_greeting_says_it_is_a_digital_assistant(chat):
    reply = joined(chat.say("hallo"))
    assert "digitale assistent" in reply.lower()


def test_typed_simpler_request_after_an_answer(chat):
    chat.say("hoe vraag ik zorgtoeslag aan")
    assert joined(chat.say("zeg het simpeler")) == CATALOG.topics["toeslagen"].simple


def test_feedback_buttons_after_an_answer(chat):
    answer = chat.say("wat is phishing")
    assert {"/affirm", "/deny", "/simpler"} <= {b["payload"] for b in buttons(answer)}
    assert joined(chat.say("/affirm")) == CATALOG.message("feedback_thanks")


def test_thanks_and_goodbye(chat):
    assert joined(chat.say("dankjewel")).startswith(CATALOG.topics["bedankt"].answer[:20])
    assert joined(chat.say("doei")).startswith(CATALOG.topics["afscheid"].answer[:20])


def test_two_questions_answer_the_first_and_offer_the_second_as_a_button(chat):
    """Issue 10's own example, through the real model: the later part's own ranking (bot/nlu/second_part.py)
    reaches the action server in the parse data and names toeslagen, which the whole message hardly ranks."""
    reply = chat.say("mijn digid doet het niet en ik moet ook toeslag aanvragen")
    assert joined(reply).startswith(CATALOG.topics["digid_problemen"].answer[:40])
    assert {"title": CATALOG.topics["toeslagen"].button, "payload": "/toeslagen"} in buttons(reply)
