from __future__ import annotations

import pytest

from bot.connectors.triage_contract import (
    TriageRequest,
    TriageRequestError,
    build_response,
    nlu_text,
    parse_request,
)
from bot.connectors.webchat_origin import origin_allowed
from tests.connectors.triage_support import NOW, catalog
from tests.contract_fields import REFERRAL_BASE_FIELDS, TRIAGE_ANSWER_FIELDS


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "", "gemeente": None}, "must not be empty"),
        ({"text": "   ", "gemeente": None}, "must not be empty"),
        ({"text": "x" * 1001, "gemeente": None}, "at most 1000"),
        ({"text": 5, "gemeente": None}, "'text' must be a string"),
        ({"gemeente": "kerkrade"}, "'text' must be a string"),
        ({"text": "hoi", "gemeente": 3}, "'gemeente' must be a string or null"),
        ({"text": "hoi", "extra": 1}, "unknown field(s): extra"),
        (["text"], "must be a JSON object"),
    ],
)
def test_bad_requests_are_rejected_with_a_precise_message(body, message):
    with pytest.raises(TriageRequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_request(body)


def test_payload_syntax_is_not_parsed_as_an_intent():
    assert nlu_text('/medewerker{"x":1}') == 'medewerker{"x":1}'


def _parse(*ranking):
    return {"intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}


def test_response_follows_the_contract():
    request = TriageRequest(text="ik ben mijn digid kwijt", gemeente="Bocholtz")
    parse = _parse(
        ("digid_problemen", 0.93),
        ("digid_aanvragen", 0.04),
        ("buiten_bereik", 0.01),
        ("toeslagen", 0.01),
        ("email", 0.005),
        ("privacy", 0.001),
    )
    result = build_response(catalog(), request, parse, 0.5, NOW)
    assert set(result) == TRIAGE_ANSWER_FIELDS
    assert result["outside"] is None  # Bocholtz is ours
    assert result["topic"] == "digid_problemen" and result["confidence"] == 0.93
    assert result["second_question"] is None  # one question, though the ranking has runners-up
    assert [a["topic"] for a in result["alternatives"]] == ["digid_aanvragen", "toeslagen", "email"]
    assert result["gemeente"] == "simpelveld"
    topic = catalog().topics["digid_problemen"]
    assert result["answer"]["text"] == topic.answer and result["answer"]["simple"] == topic.simple
    assert {"label", "url"} == set(result["answer"]["links"][0])
    ref_ids = {r["id"] for r in result["referrals"]}
    assert set(topic.refer_to) <= ref_ids
    for ref in result["referrals"]:
        assert set(ref) >= REFERRAL_BASE_FIELDS
        if ref["kind"] == "service":
            assert ref["gemeente"] == "simpelveld"


def test_a_place_outside_gets_the_chats_honest_reply_and_our_nearest_referrals():
    parse = _parse(("informatiepunt", 0.9))
    request = TriageRequest("ik woon in Hoensbroek, waar is het informatiepunt", None)
    result = build_response(catalog(), request, parse, 0.5, NOW)
    outside = result["outside"]
    assert (outside["place"], outside["gemeente"], outside["nearest"]) == ("Hoensbroek", "Heerlen", "brunssum")
    assert "Bibliotheek Heerlen" in outside["text"] and "Brunssum" in outside["text"]
    assert result["gemeente"] == "brunssum"
    assert {r["gemeente"] for r in result["referrals"]} <= {"brunssum", None}


def test_an_everyday_word_in_the_question_is_no_place():
    parse = _parse(("informatiepunt", 0.9))
    request = TriageRequest("ik woon aan de gracht, waar is het informatiepunt", None)
    result = build_response(catalog(), request, parse, 0.5, NOW)
    assert result["gemeente"] is None and result["outside"] is None


def test_low_confidence_is_out_of_scope_with_alternatives():
    parse = _parse(("nlu_fallback", 0.5), ("toeslagen", 0.3), ("geldzaken", 0.2))
    result = build_response(catalog(), TriageRequest("qwerty", None), parse, 0.5, NOW)
    assert result["topic"] == "buiten_bereik"
    assert [a["topic"] for a in result["alternatives"]] == ["toeslagen", "geldzaken"]
    assert result["gemeente"] is None


def test_below_threshold_topic_becomes_out_of_scope():
    result = build_response(catalog(), TriageRequest("iets", None), _parse(("email", 0.3)), 0.5, NOW)
    assert result["topic"] == "buiten_bereik"


def test_without_municipality_local_services_are_listed_for_every_municipality():
    parse = _parse(("informatiepunt", 0.99))
    result = build_response(catalog(), TriageRequest("waar is het informatiepunt", None), parse, 0.5, NOW)
    assert {r["gemeente"] for r in result["referrals"]} == {
        "kerkrade",
        "brunssum",
        "voerendaal",
        "simpelveld",
    }


def test_origin_allow_list():
    allowed = {"https://www.bibliotheekkerkrade.nl"}
    assert origin_allowed({"HTTP_ORIGIN": "https://www.bibliotheekkerkrade.nl"}, allowed)
    assert not origin_allowed({"HTTP_ORIGIN": "https://evil.example"}, allowed)
    assert not origin_allowed({}, allowed)
    assert origin_allowed({}, {"*"})


async def test_triage_falls_back_at_the_loaded_models_own_threshold_with_no_copy_in_credentials():
    from pathlib import Path

    import yaml
    from rasa.core.agent import load_agent

    from bot.connectors.triage import model_fallback_threshold

    root = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((root / "config.yml").read_text())
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    agent = await load_agent(str(root / "models" / "wegwijzer.tar.gz"))

    assert model_fallback_threshold(agent) == fallback["threshold"]
    credentials = yaml.safe_load((root / "credentials.yml").read_text())
    assert not credentials["bot.connectors.triage.TriageInput"]  # one source: the model's config


def test_referrals_tell_staff_per_field_what_is_unconfirmed():
    parse = _parse(("informatiepunt", 0.99))
    result = build_response(catalog(), TriageRequest("waar is het informatiepunt", "brunssum"), parse, 0.5, NOW)
    (ref,) = result["referrals"]
    assert ref["opening_hours"] == "vrijdag 10:00–12:00"  # staff see the assumption ...
    assert ref["next_open"] is None  # ... but no date computed from it
    assert ref["verify"] is True and "opening_hours" in ref["unconfirmed"]
    assert set(ref["checks"]) >= {"opening_hours"} and ref["checks"]["opening_hours"]["state"] == "assumed"
    assert "address" not in ref["checks"]  # unknown, so nothing to check


def test_a_confirmed_helpline_in_the_contract_is_not_marked():
    parse = _parse(("bericht_controleren", 0.99))
    result = build_response(catalog(), TriageRequest("is dit echt", None), parse, 0.5, NOW)
    fraud = next(r for r in result["referrals"] if r["id"] == "fraudehelpdesk")
    assert fraud["verify"] is False and fraud["unconfirmed"] == []
    assert fraud["checks"]["phone"]["state"] == "confirmed"


# --- two questions in one message (knowledge/two_questions.py, the chat's rule) -----------------------------

TWO = "mijn digid doet het niet en ik moet ook toeslag aanvragen"


def test_a_two_question_message_names_the_second_topic_among_the_alternatives():
    parse = _parse(("digid_problemen", 0.55), ("toeslagen", 0.4), ("email", 0.05))
    result = build_response(catalog(), TriageRequest(TWO, None), parse, 0.3, NOW)
    assert result["topic"] == "digid_problemen"
    assert result["second_question"] == "toeslagen"
    assert result["alternatives"][0] == {"topic": "toeslagen", "confidence": 0.4}


def test_the_second_topic_stays_in_the_alternatives_when_the_cut_would_drop_it(monkeypatch):
    from bot.connectors import triage_contract

    monkeypatch.setattr(triage_contract, "MAX_ALTERNATIVES", 0)
    parse = _parse(("digid_problemen", 0.55), ("toeslagen", 0.4), ("email", 0.05))
    result = triage_contract.build_response(catalog(), TriageRequest(TWO, None), parse, 0.3, NOW)
    assert result["second_question"] == "toeslagen"
    assert [a["topic"] for a in result["alternatives"]] == ["toeslagen"]


def test_the_text_nlu_saw_decides_the_shape():
    parse = {**_parse(("digid_problemen", 0.55), ("toeslagen", 0.4)), "text": "mijn digid doet het niet"}
    result = build_response(catalog(), TriageRequest(TWO, None), parse, 0.3, NOW)
    assert result["second_question"] is None


@pytest.mark.parametrize(
    ("text", "ranking", "threshold"),
    [
        ("mijn man en ik willen ook een digid", (("digid_aanvragen", 0.97), ("digid_machtigen", 0.02)), 0.3),
        ("mijn digid doet het niet", (("digid_problemen", 0.55), ("toeslagen", 0.4)), 0.3),  # no second part
        (TWO, (("digid_problemen", 0.25), ("toeslagen", 0.24)), 0.3),  # below the fallback: niet begrepen
        (TWO, (("digid_problemen", 0.55), ("begroeting", 0.4), ("toeslagen", 0.05)), 0.3),
    ],
)
def test_no_second_question_without_two_topics(text, ranking, threshold):
    result = build_response(catalog(), TriageRequest(text, None), _parse(*ranking), threshold, NOW)
    assert result["second_question"] is None


def test_a_second_question_only_its_own_part_names_is_an_alternative_with_the_parts_confidence():
    """The whole message ranks toeslagen nowhere; the later part's own ranking (bot/nlu/second_part.py) does."""
    parse = {
        **_parse(("digid_problemen", 0.97), ("digid_aanvragen", 0.02)),
        "part_rankings": [[{"name": "toeslagen", "confidence": 0.96}, {"name": "wmo", "confidence": 0.01}]],
    }
    result = build_response(catalog(), TriageRequest(TWO, None), parse, 0.3, NOW)
    assert result["topic"] == "digid_problemen"
    assert result["second_question"] == "toeslagen"
    assert result["alternatives"][0] == {"topic": "toeslagen", "confidence": 0.96}
    # a later part about the answered topic names nothing
    same = {**parse, "part_rankings": [[{"name": "digid_problemen", "confidence": 0.99}]]}
    assert build_response(catalog(), TriageRequest(TWO, None), same, 0.3, NOW)["second_question"] is None
