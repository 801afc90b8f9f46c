from typing import Any

import httpx
import pytest

from bot.messages import Button, IncomingMessage, OutgoingMessage
from bot.rasa_client import RasaClient, RasaOutcome, parse_rasa_response
from bot.settings import RasaSettings
from tests.bot.adapter_fakes import FakeRasa


def test_parse_keeps_text_and_buttons_and_skips_the_rest() -> None:
    data = [
        {"recipient_id": "p", "text": "Hallo"},
        {"recipient_id": "p", "image": "https://example.org/a.png"},
        {
            "recipient_id": "p",
            "text": "Kies",
            "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": 3}],
        },
        "garbage",
    ]
    assert parse_rasa_response(data) == [
        OutgoingMessage("Hallo"),
        OutgoingMessage("Kies", (Button("Ja", "/affirm"),)),
    ]


@pytest.mark.parametrize("data", [{}, "x", None])
def test_parse_refuses_non_lists(data: Any) -> None:
    with pytest.raises(ValueError):
        parse_rasa_response(data)


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ("not json", RasaOutcome.BAD_RESPONSE),
        ({"error": "x"}, RasaOutcome.BAD_RESPONSE),
        ([{"recipient_id": "p", "custom": {"x": 1}}], RasaOutcome.EMPTY),
    ],
)
async def test_unusable_replies_give_the_fallback(
    fake_rasa: FakeRasa, reply: Any, outcome: RasaOutcome
) -> None:
    # arrange
    fake_rasa.responder = lambda body: reply
    async with httpx.AsyncClient() as http:
        client = RasaClient(http, RasaSettings(url=fake_rasa.url), "FALLBACK")  # type: ignore[attr-defined]
        # act
        result = await client.send(IncomingMessage("p" * 32, "Hallo", "telegram"))
    # assert
    assert result.outcome is outcome
    assert result.messages == [OutgoingMessage("FALLBACK")]


async def test_request_follows_the_rest_contract(fake_rasa: FakeRasa) -> None:
    async with httpx.AsyncClient() as http:
        client = RasaClient(http, RasaSettings(url=fake_rasa.url + "/"), "F")  # type: ignore[attr-defined]
        result = await client.send(IncomingMessage("abc", "x" * 5000 + " mail me: a.b@example.org", "whatsapp"))
    [body] = fake_rasa.requests
    assert set(body) == {"sender", "message", "input_channel"}
    assert body["sender"] == "abc" and body["input_channel"] == "whatsapp"
    assert len(body["message"]) <= 4096
    assert result.outcome is RasaOutcome.OK


def test_timeout_above_ten_seconds_is_refused() -> None:
    with pytest.raises(ValueError):
        RasaSettings(timeout_seconds=30)
