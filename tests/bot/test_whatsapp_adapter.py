"""The WhatsApp adapter over loopback: signed webhooks in, fake Rasa, fake Graph API out."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from bot.pseudonym import pseudonymise
from bot.rasa_client import RasaClient
from bot.settings import RasaSettings, WhatsAppSettings
from bot.whatsapp.app import WhatsAppService, app_from_settings
from bot.whatsapp.signature import sign
from shared.messages import load_fixed_texts
from tests.bot.adapter_fakes import FakeGraph, FakeRasa, eventually, free_port_url, graph_error, serve_in_loop

APP_SECRET = b"test-app-secret-0123456789"
VERIFY_TOKEN = b"test-verify-token"
WA_ID = "31600000001"
MAX_BODY = 64 * 1024


class Adapter:
    """A running adapter plus helpers to post signed webhooks to it."""

    def __init__(self, client: httpx.AsyncClient, service: WhatsAppService) -> None:
        self.client = client
        self.service = service

    async def post(self, payload: Any, *, signature: str | None = "valid") -> httpx.Response:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["X-Hub-Signature-256"] = sign(APP_SECRET, raw)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return await self.client.post("/webhook", content=raw, headers=headers)


def fresh(payload: dict[str, Any], **message_fields: Any) -> dict[str, Any]:
    """A copy of a webhook fixture whose message is sent now (inside the 24 h window)."""
    payload = copy.deepcopy(payload)
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["timestamp"] = str(int(time.time()))
    message.update(message_fields)
    return payload


async def start_adapter(
    rasa_url: str, graph: FakeGraph, key: bytes, rasa_timeout: float = 2.0
) -> AsyncIterator[Adapter]:
    settings = WhatsAppSettings(
        app_secret=APP_SECRET.decode(),
        verify_token=VERIFY_TOKEN.decode(),
        access_token=graph.token,
        phone_number_id=graph.phone_number_id,
        api_version=graph.version,
        graph_base_url=graph.url,  # type: ignore[attr-defined]
        max_body_bytes=MAX_BODY,
        concurrency=4,
    )
    texts = load_fixed_texts()
    async with httpx.AsyncClient() as http:
        rasa = RasaClient(http, RasaSettings(url=rasa_url, timeout_seconds=rasa_timeout), "RASA_DOWN")
        service, app = app_from_settings(http, settings, rasa, texts, key, graph_retry_delay_seconds=0.05)
        async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url) as client:
            yield Adapter(client, service)


@pytest.fixture
async def adapter(fake_rasa: FakeRasa, fake_graph: FakeGraph, pseudonym_key: bytes) -> AsyncIterator[Adapter]:
    async for running in start_adapter(fake_rasa.url, fake_graph, pseudonym_key):  # type: ignore[attr-defined]
        yield running


@pytest.mark.parametrize(
    ("params", "status"),
    [
        (
            {
                "hub.mode": "subscribe",
                "hub.verify_token": "test-verify-token",
                "hub.challenge": "1158201444",
            },
            200,
        ),
        (
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"},
            403,
        ),
        (
            {
                "hub.mode": "unsubscribe",
                "hub.verify_token": "test-verify-token",
                "hub.challenge": "1",
            },
            403,
        ),
        ({"hub.mode": "subscribe", "hub.challenge": "1158201444"}, 403),
        (
            {
                "hub.mode": "subscribe",
                "hub.verify_token": "test-verify-token",
                "hub.challenge": "<b>",
            },
            403,
        ),
    ],
)
async def test_get_verification(adapter: Adapter, params: dict[str, str], status: int) -> None:
    # act
    response = await adapter.client.get("/webhook", params=params)
    # assert
    assert response.status_code == status
    if status == 200:
        assert response.text == "1158201444"
        assert response.headers["content-type"].startswith("text/plain")


async def test_text_message_is_answered_with_pseudonym_and_masking(
    adapter: Adapter,
    fake_rasa: FakeRasa,
    fake_graph: FakeGraph,
    fixture_json: Any,
    pseudonym_key: bytes,
) -> None:
    # arrange
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = (
        "Mijn nummer is 06-12345678, hoe vraag ik DigiD aan?"
    )
    # act
    response = await adapter.post(payload)
    await eventually(lambda: len(fake_graph.sent) == 1)
    # assert
    assert response.status_code == 200
    [request] = fake_rasa.requests
    assert request["sender"] == pseudonymise("whatsapp", WA_ID, pseudonym_key)
    assert WA_ID not in json.dumps(request)
    assert "12345678" not in request["message"]
    assert request["input_channel"] == "whatsapp"
    [sent] = fake_graph.sent
    assert sent["to"] == WA_ID
    assert sent["type"] == "text"
    assert sent["text"]["body"] == f"Antwoord op: {request['message']}"


@pytest.mark.parametrize(
    "signature",
    [None, "sha256=" + "0" * 64, "sha1=abc", "", "sha256=", "resign"],
)
async def test_unsigned_or_wrongly_signed_posts_are_rejected(
    adapter: Adapter, fake_rasa: FakeRasa, fixture_json: Any, signature: str | None
) -> None:
    # arrange
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    if signature == "resign":
        # signed with the right secret, but over different bytes than the ones sent
        signature = sign(APP_SECRET, json.dumps(payload, indent=2).encode())
    # act
    response = await adapter.post(payload, signature=signature)
    # assert
    assert response.status_code == 401
    assert fake_rasa.requests == []


async def test_signature_is_checked_over_raw_escaped_bytes(
    adapter: Adapter, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange: Meta sends escaped unicode; re-serialising would change the bytes
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "Caf\u00e9 \U0001f44d"
    raw = json.dumps(payload, ensure_ascii=True).encode()
    assert b"\\u00e9" in raw
    # act
    response = await adapter.post(raw)
    # assert
    assert response.status_code == 200
    await eventually(lambda: len(fake_graph.sent) == 1)


async def test_duplicate_wamid_is_processed_once(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    # act
    first = await adapter.post(payload)
    second = await adapter.post(payload)
    await eventually(lambda: len(fake_graph.sent) == 1)
    await asyncio.sleep(0.3)  # time for a second, wrongly scheduled turn to show up
    # assert
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(fake_rasa.requests) == 1
    assert len(fake_graph.sent) == 1


@pytest.mark.parametrize("fixture", ["whatsapp_image_message.json", "whatsapp_voice_message.json"])
async def test_image_and_voice_note_get_kind_text_only_reply(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any, fixture: str
) -> None:
    # act
    response = await adapter.post(fresh(fixture_json(fixture)))
    await eventually(lambda: len(fake_graph.sent) == 1)
    # assert
    assert response.status_code == 200
    assert fake_rasa.requests == []
    assert fake_graph.texts() == [load_fixed_texts().get("text_only")]


@pytest.mark.parametrize("fixture", ["whatsapp_status_delivered.json", "whatsapp_reaction.json"])
async def test_statuses_and_reactions_get_no_answer(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any, fixture: str
) -> None:
    # arrange
    payload = fixture_json(fixture)
    # act
    with capture_logs() as logs:
        response = await adapter.post(payload)
        await eventually(lambda: any(e["event"] == "whatsapp_webhook" for e in logs))
    # assert
    assert response.status_code == 200
    assert fake_rasa.requests == [] and fake_graph.attempts == 0


async def test_oversized_bodies_are_rejected(adapter: Adapter, fake_rasa: FakeRasa) -> None:
    # arrange
    big = b'{"object":"whatsapp_business_account","pad":"' + b"x" * MAX_BODY + b'"}'

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    # act
    declared = await adapter.post(big)
    streamed = await adapter.client.post(
        "/webhook", content=chunked(), headers={"X-Hub-Signature-256": sign(APP_SECRET, big)}
    )
    # assert
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert fake_rasa.requests == []


async def test_malformed_json_with_valid_signature_is_rejected(adapter: Adapter) -> None:
    # act
    broken = await adapter.post(b'{"object": "whatsapp_business_account", "entry": [')
    foreign = await adapter.post({"object": "page", "entry": []})
    # assert
    assert (broken.status_code, foreign.status_code) == (400, 400)


async def test_answer_is_fast_while_rasa_is_slow(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange
    fake_rasa.delay_seconds = 1.5
    started = time.monotonic()
    # act
    response = await adapter.post(fresh(fixture_json("whatsapp_text_message.json")))
    elapsed = time.monotonic() - started
    # assert
    assert response.status_code == 200
    assert elapsed < 0.5
    await eventually(lambda: len(fake_graph.sent) == 1)


async def test_two_buttons_become_reply_buttons_and_reply_forwards_payload(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange
    fake_rasa.reply_with(
        [
            {"text": "Heeft dit antwoord u geholpen?"},
            {
                "text": "Kies een antwoord.",
                "buttons": [
                    {"title": "Ja", "payload": "/affirm"},
                    {"title": "Nee", "payload": "/deny"},
                ],
            },
        ]
    )
    # act
    await adapter.post(fresh(fixture_json("whatsapp_text_message.json")))
    await eventually(lambda: len(fake_graph.sent) == 1)
    # assert: the two Rasa items are merged into one interactive message
    [sent] = fake_graph.sent
    assert sent["interactive"]["type"] == "button"
    assert sent["interactive"]["body"]["text"] == "Heeft dit antwoord u geholpen?\n\nKies een antwoord."
    buttons = sent["interactive"]["action"]["buttons"]
    # act: the user taps "Nee"
    fake_rasa.responder = FakeRasa.echo
    reply = fresh(fixture_json("whatsapp_button_reply.json"))
    reply["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"] = {
        "id": buttons[1]["reply"]["id"],
        "title": buttons[1]["reply"]["title"],
    }
    await adapter.post(reply)
    await eventually(lambda: len(fake_graph.sent) == 2)
    # assert
    assert fake_rasa.messages[-1] == "/deny"


async def test_many_buttons_become_a_list(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange
    places = ["Kerkrade", "Brunssum", "Voerendaal", "Simpelveld", "Ergens anders in Limburg"]
    fake_rasa.reply_with(
        [
            {
                "text": "In welke gemeente woont u?",
                "buttons": [
                    {"title": place, "payload": f'/inform_place{{"place":"{place.lower()}"}}'}
                    for place in places
                ],
            }
        ]
    )
    # act
    await adapter.post(fresh(fixture_json("whatsapp_text_message.json")))
    await eventually(lambda: len(fake_graph.sent) == 1)
    # assert (the fake Graph API rejects anything over Meta's limits)
    [sent] = fake_graph.sent
    assert sent["interactive"]["type"] == "list"
    rows = sent["interactive"]["action"]["sections"][0]["rows"]
    assert [row["title"] for row in rows][:4] == places[:4]
    assert len(rows[4]["title"]) <= 24


@pytest.mark.parametrize(
    "reply_id",
    [
        pytest.param("k:unknown-after-restart", id="unknown-key-after-restart"),
        # a forged payload reply id without any button sent to this conversation
        pytest.param("p:/digid_aanvragen", id="payload-never-offered"),
    ],
)
async def test_list_reply_that_cannot_be_honoured_gets_expiry_text(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any, reply_id: str
) -> None:
    # arrange
    payload = fresh(fixture_json("whatsapp_list_reply.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["list_reply"]["id"] = reply_id
    # act
    await adapter.post(payload)
    await eventually(lambda: len(fake_graph.sent) == 1)
    # assert
    assert fake_rasa.requests == []
    assert fake_graph.texts() == [load_fixed_texts().get("button_expired")]


async def test_list_reply_forwards_payload(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange: this conversation was offered the button
    fake_rasa.reply_with([{"text": "Kies", "buttons": [{"title": "DigiD", "payload": "/digid_aanvragen"}]}])
    await adapter.post(fresh(fixture_json("whatsapp_text_message.json")))
    await eventually(lambda: len(fake_graph.sent) == 1)
    fake_rasa.responder = FakeRasa.echo
    # act
    await adapter.post(fresh(fixture_json("whatsapp_list_reply.json")))
    await eventually(lambda: len(fake_graph.sent) == 2)
    # assert
    assert fake_rasa.messages[-1] == "/digid_aanvragen"


async def test_nothing_is_sent_outside_the_24_hour_window(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange: a redelivery of a message sent 25 hours ago
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()) - 25 * 3600)
    # act
    with capture_logs() as logs:
        await adapter.post(payload)
        await eventually(lambda: any(e["event"] == "whatsapp_turn" for e in logs))
    # assert
    [turn] = [e for e in logs if e["event"] == "whatsapp_turn"]
    assert turn["send"] == "window_closed"
    assert fake_graph.attempts == 0


async def test_rasa_down_sends_fixed_text(
    fake_graph: FakeGraph, fixture_json: Any, pseudonym_key: bytes
) -> None:
    # arrange
    async for adapter in start_adapter(free_port_url(), fake_graph, pseudonym_key):
        # act
        await adapter.post(fresh(fixture_json("whatsapp_text_message.json")))
        await eventually(lambda: len(fake_graph.sent) == 1)
    # assert
    assert fake_graph.texts() == ["RASA_DOWN"]


async def test_graph_throttling_is_retried_once(
    adapter: Adapter, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange
    status, body = graph_error(130429, "Rate limit hit", 429)
    fake_graph.fail_next(status, body)
    # act
    await adapter.post(fresh(fixture_json("whatsapp_text_message.json")))
    await eventually(lambda: len(fake_graph.sent) == 1)
    # assert
    assert fake_graph.attempts == 2


async def test_logs_hold_no_phone_number_or_text(
    adapter: Adapter, fake_graph: FakeGraph, fixture_json: Any
) -> None:
    # arrange
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "Ik ben Pietersen"
    # act
    with capture_logs() as logs:
        await adapter.post(payload)
        await eventually(lambda: any(e["event"] == "whatsapp_turn" for e in logs))
    # assert
    dumped = json.dumps(logs, default=str)
    assert WA_ID not in dumped and "Pietersen" not in dumped
    [turn] = [e for e in logs if e["event"] == "whatsapp_turn"]
    assert turn["outcome"] == "ok" and turn["send"] == "sent" and turn["replies"] == 1


@pytest.mark.parametrize("flag", ["forwarded", "frequently_forwarded"])
async def test_forwarded_text_is_marked_for_rasa(
    adapter: Adapter, fake_rasa: FakeRasa, fake_graph: FakeGraph, fixture_json: Any, flag: str
) -> None:
    # arrange: the Cloud API puts context.forwarded (and frequently_forwarded) on the message object
    payload = fresh(fixture_json("whatsapp_text_message.json"))
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"] = "Hoi mam, dit is mijn nieuwe nummer"
    message["context"] = {flag: True}
    plain = fresh(fixture_json("whatsapp_text_message.json"), id="wamid.plain-" + flag)
    # act
    await adapter.post(payload)
    await adapter.post(plain)
    await eventually(lambda: len(fake_graph.sent) == 2)
    # assert
    first, second = fake_rasa.requests
    assert first["metadata"] == {"forwarded": True}
    assert "metadata" not in second
