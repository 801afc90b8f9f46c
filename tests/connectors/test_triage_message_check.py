"""The triage contract's message-check mode: request validation and the answer's shape (pure, no server)."""

from __future__ import annotations

import pytest

from bot.connectors.triage_contract import (
    MAX_MESSAGE_CHECK_LENGTH,
    TriageRequest,
    TriageRequestError,
    build_message_check_response,
    parse_request,
)
from knowledge.pii import mask_pii
from tests.connectors.triage_support import NOW, catalog

SCAM = "DigiD: uw account wordt vandaag nog geblokkeerd. Verifieer uw gegevens via https://digid-check.info/nu"


def test_mode_is_optional_and_defaults_to_topic():
    assert parse_request({"text": "hoi", "gemeente": None}).mode == "topic"
    assert parse_request({"text": "hoi", "mode": "message_check"}).mode == "message_check"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "hoi", "mode": "raden"}, "'mode' must be one of 'topic', 'message_check'"),
        ({"text": "hoi", "mode": 3}, "'mode' must be one of"),
        ({"text": "", "mode": "message_check"}, "must not be empty"),
        ({"text": "x" * (MAX_MESSAGE_CHECK_LENGTH + 1), "mode": "message_check"}, "at most 4096"),
        ({"text": "x" * 1001, "mode": "topic"}, "at most 1000"),
    ],
)
def test_bad_message_check_requests_are_rejected_with_a_reason(body, message):
    with pytest.raises(TriageRequestError, match=message):
        parse_request(body)


def test_a_long_pasted_message_is_accepted_in_message_check_mode():
    assert parse_request({"text": "x" * 3000, "mode": "message_check"}).text == "x" * 3000


def _check(text: str, gemeente: str | None = None) -> dict:
    request = TriageRequest(text=text, gemeente=gemeente, mode="message_check")
    return build_message_check_response(catalog(), request, mask_pii(text).text, NOW)


def test_scam_answer_follows_the_contract():
    body = _check(SCAM, "Bocholtz")
    assert {"verdict", "signals", "answer", "referrals"} <= set(body)
    assert body["verdict"] == "likely_scam"
    assert body["gemeente"] == "simpelveld"
    ids = [s["id"] for s in body["signals"]]
    assert ids[0] in {"link_lijkt_op", "link_niet_verwacht"} and "dreiging_haast" in ids
    for signal in body["signals"]:
        assert set(signal) == {"id", "explanation", "quote"}
        assert signal["quote"] in SCAM and signal["explanation"]
    assert set(body["answer"]) == {"title", "text", "simple", "steps", "links"}
    assert "DigiD stuurt nooit" in body["answer"]["text"]
    assert body["answer"]["steps"] == list(catalog().message_check.after.items)
    assert any("digid.nl" in link["url"] for link in body["answer"]["links"])
    assert [r["id"] for r in body["referrals"]] == ["fraudehelpdesk"]


def test_no_signals_has_no_referral_and_no_safe_wording():
    body = _check("Hoi! Zullen we zaterdag samen naar de markt gaan? Groetjes, Truus")
    assert body["verdict"] == "no_signals" and body["signals"] == [] and body["referrals"] == []
    assert "veilig" not in body["answer"]["text"].lower()


def test_quotes_come_from_the_masked_text():
    body = _check("Maak vandaag nog 500 euro over naar NL91ABNA0417164300 anders volgt beslag")
    quotes = " ".join(s["quote"] for s in body["signals"])
    assert "NL91ABNA0417164300" not in quotes and "NL91ABNA0417164300" not in str(body)
