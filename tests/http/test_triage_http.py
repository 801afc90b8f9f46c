"""The staff triage endpoint over real HTTP inside the running Rasa server."""

from __future__ import annotations

import pytest

from tests.contract_fields import REFERRAL_BASE_FIELDS, TRIAGE_ANSWER_FIELDS

URL = "/webhooks/triage/webhook"


def _post(client, stack, **kwargs):
    headers = {"X-Staff-Key": stack.env["TRIAGE_STAFF_KEY"], **kwargs.pop("headers", {})}
    return client.post(URL, headers=headers, **kwargs)


def test_triage_answers_per_contract(client, stack):
    reply = _post(
        client,
        stack,
        json={"text": "ik ben het wachtwoord van mijn digid vergeten", "gemeente": "bocholtz"},
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["topic"] == "digid_problemen"
    assert 0.3 <= body["confidence"] <= 1
    assert len(body["alternatives"]) <= 3
    assert all(a["topic"] != body["topic"] for a in body["alternatives"])
    assert body["gemeente"] == "simpelveld"
    assert set(body["answer"]) >= {"title", "text", "simple", "links"}
    for ref in body["referrals"]:
        assert set(ref) >= REFERRAL_BASE_FIELDS | {
            "verify",
            "unconfirmed",
            "checks",
        }
        assert ref["verify"] is bool(ref["unconfirmed"])
        assert set(ref["unconfirmed"]) <= set(ref["checks"])


def test_out_of_scope_triage(client, stack):
    body = _post(
        client, stack, json={"text": "wie wint de wedstrijd van roda jc zaterdag", "gemeente": None}
    ).json()
    assert body["topic"] == "buiten_bereik"
    assert body["alternatives"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"json": {"text": "", "gemeente": None}}, "must not be empty"),
        ({"json": {"text": "a" * 1001, "gemeente": None}}, "at most 1000"),
        ({"json": {"text": 12, "gemeente": None}}, "must be a string"),
        ({"json": {"text": "hoi", "gemeente": ["x"]}}, "'gemeente'"),
        (
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            "not valid JSON",
        ),
    ],
)
def test_bad_input_is_400_with_an_error(client, stack, kwargs, fragment):
    reply = _post(client, stack, **kwargs)
    assert reply.status_code == 400
    assert fragment in reply.json()["error"]


def test_missing_staff_key_is_refused(client):
    reply = client.post(URL, json={"text": "digid", "gemeente": None})
    assert reply.status_code == 401


def test_triage_message_check_mode_over_http(client, stack):
    text = "PostNL: uw pakket wacht. Betaal €1,99 via https://postnl-bezorging.top/betaal vandaag nog"
    reply = _post(client, stack, json={"text": text, "mode": "message_check"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["verdict"] == "likely_scam"
    assert "link_lijkt_op" in [s["id"] for s in body["signals"]]
    assert all(s["quote"] in text for s in body["signals"])
    assert [r["id"] for r in body["referrals"]] == ["fraudehelpdesk"]


def test_triage_unknown_mode_is_a_400_with_reason(client, stack):
    reply = _post(client, stack, json={"text": "hoi", "mode": "raden"})
    assert reply.status_code == 400
    assert "'mode' must be one of" in reply.json()["error"]


def test_triage_without_mode_keeps_the_topic_contract(client, stack):
    body = _post(client, stack, json={"text": "ik ben mijn digid kwijt", "gemeente": None}).json()
    assert set(body) == TRIAGE_ANSWER_FIELDS


def test_triage_names_the_second_question_of_a_two_question_message(client, stack):
    body = _post(
        client,
        stack,
        json={"text": "mijn digid doet het niet en ik moet ook toeslag aanvragen", "gemeente": None},
    ).json()
    assert body["topic"] == "digid_problemen"
    assert body["second_question"] == "toeslagen"
    assert "toeslagen" in [alternative["topic"] for alternative in body["alternatives"]]
