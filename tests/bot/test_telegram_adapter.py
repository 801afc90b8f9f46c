"""The Telegram adapter end to end over loopback: PTB -> fake Bot API, handlers -> fake Rasa."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs
from telegram import Update

from bot.dedupe import SeenIds
from bot.pseudonym import pseudonymise
from bot.rasa_client import RasaClient
from bot.settings import RasaSettings, TelegramSettings
from bot.telegram.app import AnyApplication, build_application, create_webhook_app
from bot.telegram.callback_ids import MAX_CALLBACK_BYTES, CallbackIds
from bot.telegram.handlers import TelegramHandlers
from shared.messages import load_fixed_texts
from tests.bot.adapter_fakes import FakeBotApi, FakeRasa, eventually, free_port_url, serve_in_loop

CHAT_ID = 700000001
LONG_PAYLOAD = '/inform_place{"place":"kerkrade_west","topic":"digid_aanvragen_en_activeren"}'


def make_handlers(rasa_url: str, key: bytes, timeout: float = 2.0) -> TelegramHandlers:
    texts = load_fixed_texts()
    http = httpx.AsyncClient()
    return TelegramHandlers(
        rasa=RasaClient(
            http,
            RasaSettings(url=rasa_url, timeout_seconds=timeout),
            texts.get("rasa_unavailable"),
        ),
        ids=CallbackIds(),
        texts=texts,
        pseudonym_key=key,
    )


def bot_settings(fake: FakeBotApi, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "bot_token": fake.token,
        "api_base_url": f"{fake.url}/bot",  # type: ignore[attr-defined]
        "max_retries": 2,
    }
    values.update(overrides)
    return TelegramSettings(**values)


@pytest.fixture
async def telegram(
    fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, pseudonym_key: bytes
) -> AsyncIterator[tuple[AnyApplication, TelegramHandlers]]:
    handlers = make_handlers(fake_rasa.url, pseudonym_key)  # type: ignore[attr-defined]
    application = build_application(bot_settings(fake_bot_api), handlers, webhook=True)
    async with application:
        yield application, handlers


async def feed(application: AnyApplication, payload: dict[str, Any]) -> None:
    await application.process_update(Update.de_json(payload, application.bot))


def text_update(fixture_json: Any, text: str, update_id: int = 710000001) -> dict[str, Any]:
    update = copy.deepcopy(fixture_json("telegram_update_text.json"))
    update["update_id"] = update_id
    update["message"]["text"] = text
    return update


async def test_text_is_pseudonymised_masked_and_answered(
    telegram: Any,
    fake_rasa: FakeRasa,
    fake_bot_api: FakeBotApi,
    fixture_json: Any,
    pseudonym_key: bytes,
) -> None:
    # arrange
    application, _ = telegram
    update = text_update(fixture_json, "Mijn BSN is 111222333. Hoe vraag ik DigiD aan?")
    # act
    await feed(application, update)
    # assert
    [request] = fake_rasa.requests
    assert request["sender"] == pseudonymise("telegram", CHAT_ID, pseudonym_key)
    assert str(CHAT_ID) not in request["sender"]
    assert request["input_channel"] == "telegram"
    assert "111222333" not in request["message"]
    assert "[BSN]" in request["message"]
    [sent] = fake_bot_api.sent()
    assert int(sent["chat_id"]) == CHAT_ID
    assert sent["text"] == f"Antwoord op: {request['message']}"


async def test_buttons_become_inline_keyboard_and_callback_forwards_payload(
    telegram: Any, fake_rasa: FakeRasa, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # arrange
    application, _ = telegram
    fake_rasa.reply_with(
        [
            {
                "text": "In welke gemeente woont u?",
                "buttons": [
                    {"title": "Kerkrade", "payload": '/inform_place{"place":"kerkrade"}'},
                    {"title": "Kerkrade-West", "payload": LONG_PAYLOAD},
                ],
            }
        ]
    )
    # act
    await feed(application, text_update(fixture_json, "Waar is het Informatiepunt?"))
    # assert: one message with a two-row inline keyboard, callback data within 64 bytes
    [sent] = fake_bot_api.sent()
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["Kerkrade", "Kerkrade-West"]
    for row in rows:
        assert len(row[0]["callback_data"].encode()) <= MAX_CALLBACK_BYTES
    # act: press the button with the long payload
    fake_rasa.responder = FakeRasa.echo
    callback = fixture_json("telegram_update_callback.json")
    callback["callback_query"]["data"] = rows[1][0]["callback_data"]
    await feed(application, callback)
    # assert
    assert fake_rasa.messages[-1] == LONG_PAYLOAD
    [answered] = fake_bot_api.calls_to("answerCallbackQuery")
    assert answered["callback_query_id"] == callback["callback_query"]["id"]


async def press_unknown_button(
    telegram: Any, fake_rasa: FakeRasa, fake_bot_api: FakeBotApi, callback: Any, data: str
) -> None:
    """Feed a button press with ``data`` and check it is refused: nothing to Rasa, the kind expiry text back."""
    application, handlers = telegram
    callback["callback_query"]["data"] = data
    await feed(application, callback)
    assert fake_rasa.requests == []
    [sent] = fake_bot_api.sent()
    assert sent["text"] == handlers.texts.get("button_expired")


async def test_forged_inline_callback_never_offered_is_refused(
    telegram: Any, fake_rasa: FakeRasa, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # arrange: a client forges inline callback data for a button this chat was never offered
    callback = fixture_json("telegram_update_callback.json")
    await press_unknown_button(
        telegram, fake_rasa, fake_bot_api, callback, 'p:/inform_place{"place":"kerkrade"}'
    )


async def test_typed_payload_syntax_reaches_rasa_without_the_slash(
    telegram: Any, fake_rasa: FakeRasa, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # act: "//x" survives the command handler's single-slash strip; the Rasa client removes the rest
    application, _ = telegram
    await feed(application, text_update(fixture_json, '//medewerker{"x":1}'))
    # assert
    assert fake_rasa.messages == ['medewerker{"x":1}']


async def test_unknown_callback_id_gets_kind_expiry_text(
    telegram: Any, fake_rasa: FakeRasa, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # arrange
    callback = fixture_json("telegram_update_callback.json")
    await press_unknown_button(telegram, fake_rasa, fake_bot_api, callback, "k:from-before-a-restart")
    assert len(fake_bot_api.calls_to("answerCallbackQuery")) == 1


@pytest.mark.parametrize(
    ("start_text", "expected"),
    [
        ("/start", ["/begroeting"]),
        ("/start kerkrade", ["/begroeting", '/inform_place{"place":"kerkrade"}']),
        ("/start bocholtz", ["/begroeting", '/inform_place{"place":"bocholtz"}']),
        ("/start KERKRADE", ["/begroeting"]),
        ("/start k", ["/begroeting"]),
        ("/start kerkrade123", ["/begroeting"]),
    ],
)
async def test_start_greets_and_preselects_valid_place(
    telegram: Any,
    fake_rasa: FakeRasa,
    fake_bot_api: FakeBotApi,
    fixture_json: Any,
    start_text: str,
    expected: list[str],
) -> None:
    # arrange
    application, _ = telegram
    update = fixture_json("telegram_update_start_deeplink.json")
    update["message"]["text"] = start_text
    # act
    await feed(application, update)
    # assert
    assert fake_rasa.messages == expected
    assert len(fake_bot_api.sent()) == 1  # both answers merged into one Telegram message


async def test_long_answer_is_split_at_4096_characters(
    telegram: Any, fake_rasa: FakeRasa, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # arrange
    application, _ = telegram
    sentence = "Met DigiD logt u in bij de overheid. "
    long_text = sentence * 300  # about 11,000 characters
    fake_rasa.reply_with(
        [{"text": long_text, "buttons": [{"title": "Zeg het simpeler", "payload": "/simpler"}]}]
    )
    # act
    await feed(application, text_update(fixture_json, "Leg DigiD uit"))
    # assert
    sent = fake_bot_api.sent()
    assert len(sent) == 3
    assert all(len(message["text"]) <= 4096 for message in sent)
    assert " ".join(message["text"] for message in sent) == long_text.strip()
    assert [("reply_markup" in message) for message in sent] == [False, False, True]


@pytest.mark.parametrize("failure", ["down", "empty", "error", "slow"])
async def test_rasa_failure_sends_fixed_text(
    fake_bot_api: FakeBotApi,
    fake_rasa: FakeRasa,
    pseudonym_key: bytes,
    fixture_json: Any,
    failure: str,
) -> None:
    # arrange
    rasa_url = fake_rasa.url  # type: ignore[attr-defined]
    if failure == "down":
        rasa_url = free_port_url()
    elif failure == "empty":
        fake_rasa.reply_with([])
    elif failure == "error":
        fake_rasa.status = 500
    else:
        fake_rasa.delay_seconds = 1.5
    handlers = make_handlers(rasa_url, pseudonym_key, timeout=0.5)
    application = build_application(bot_settings(fake_bot_api), handlers, webhook=True)
    # act
    async with application:
        await feed(application, text_update(fixture_json, "Hallo"))
    # assert
    [sent] = fake_bot_api.sent()
    assert sent["text"] == load_fixed_texts().get("rasa_unavailable")


@pytest.mark.parametrize("fixture", ["telegram_update_photo.json", "telegram_update_voice.json"])
async def test_photo_and_voice_get_text_only_reply(
    telegram: Any,
    fake_rasa: FakeRasa,
    fake_bot_api: FakeBotApi,
    fixture_json: Any,
    fixture: str,
) -> None:
    # arrange
    application, handlers = telegram
    # act
    await feed(application, fixture_json(fixture))
    # assert
    assert fake_rasa.requests == []
    [sent] = fake_bot_api.sent()
    assert sent["text"] == handlers.texts.get("text_only")


async def test_bot_api_error_is_logged_without_personal_data(
    telegram: Any, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # arrange
    application, _ = telegram
    fake_bot_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    secret_text = "Mijn naam is Jansen en ik woon op Markt 1"
    # act
    with capture_logs() as logs:
        await feed(application, text_update(fixture_json, secret_text))
    # assert
    errors = [entry for entry in logs if entry["event"] == "telegram_error"]
    assert errors == [
        {"event": "telegram_error", "error": "Forbidden", "kind": "message", "log_level": "warning"}
    ]
    dumped = json.dumps(logs, default=str)
    assert "Jansen" not in dumped
    assert str(CHAT_ID) not in dumped


async def test_flood_control_429_is_retried_after_retry_after(
    telegram: Any, fake_bot_api: FakeBotApi, fixture_json: Any
) -> None:
    # arrange
    application, _ = telegram
    fake_bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    # act
    await feed(application, text_update(fixture_json, "Hallo"))
    # assert: PTB's AIORateLimiter waited retry_after and sent again
    assert time.monotonic() - started >= 1.0
    attempts = fake_bot_api.sent()
    assert len(attempts) == 2
    assert attempts[0]["text"] == attempts[1]["text"]


async def test_turn_log_has_kind_outcome_latency_and_no_text(telegram: Any, fixture_json: Any) -> None:
    # arrange
    application, _ = telegram
    # act
    with capture_logs() as logs:
        await feed(application, text_update(fixture_json, "Bel mij op 06-12345678 aub"))
    # assert
    [turn] = [entry for entry in logs if entry["event"] == "telegram_turn"]
    assert turn["kind"] == "text"
    assert turn["outcome"] == "ok"
    assert turn["pii_kinds"] == ["TELEFOON"]
    assert isinstance(turn["latency_ms"], int)
    dumped = json.dumps(logs, default=str)
    assert "12345678" not in dumped
    assert "Bel mij" not in dumped


async def test_polling_receives_updates_from_bot_api(
    fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, pseudonym_key: bytes, fixture_json: Any
) -> None:
    # arrange
    handlers = make_handlers(fake_rasa.url, pseudonym_key)  # type: ignore[attr-defined]
    application = build_application(bot_settings(fake_bot_api), handlers, webhook=False)
    fake_bot_api.updates.append(text_update(fixture_json, "Hallo via polling"))
    # act
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.05, timeout=1)
        await application.start()
        await eventually(lambda: len(fake_bot_api.sent()) == 1)
        await application.updater.stop()
        await application.stop()
    # assert
    assert fake_rasa.messages == ["Hallo via polling"]
    assert fake_bot_api.calls_to("deleteWebhook")  # polling and a webhook exclude each other


async def test_webhook_checks_secret_size_and_duplicates(
    fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, pseudonym_key: bytes, fixture_json: Any
) -> None:
    # arrange
    handlers = make_handlers(fake_rasa.url, pseudonym_key)  # type: ignore[attr-defined]
    application = build_application(bot_settings(fake_bot_api), handlers, webhook=True)
    secret = "s3cret_token-value"
    update = json.dumps(text_update(fixture_json, "Hallo via webhook"))
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    async with application:
        await application.start()
        app = create_webhook_app(application, secret, "/telegram/webhook", SeenIds())
        async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url) as client:
            # act
            no_secret = await client.post("/telegram/webhook", content=update)
            wrong = await client.post(
                "/telegram/webhook",
                content=update,
                headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
            first = await client.post("/telegram/webhook", content=update, headers=headers)
            again = await client.post("/telegram/webhook", content=update, headers=headers)
            huge = await client.post(
                "/telegram/webhook", content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers=headers
            )
            malformed = await client.post("/telegram/webhook", content=b"[1,", headers=headers)
            await eventually(lambda: len(fake_bot_api.sent()) == 1)
        await application.stop()
    # assert
    assert (no_secret.status_code, wrong.status_code) == (403, 403)
    assert (first.status_code, again.status_code) == (200, 200)
    assert huge.status_code == 413
    assert malformed.status_code == 400
    assert fake_rasa.messages == ["Hallo via webhook"]


async def test_forwarded_message_is_marked_for_rasa_and_plain_text_is_not(
    telegram: Any, fake_rasa: FakeRasa, fixture_json: Any
) -> None:
    # arrange: Bot API 7.0+ marks a forward with forward_origin (a MessageOrigin; here a hidden user)
    application, _ = telegram
    forwarded = text_update(fixture_json, "Uw pakket wacht. Betaal via post-nl.info/x", update_id=710000051)
    forwarded["message"]["forward_origin"] = {
        "type": "hidden_user",
        "date": 1764071000,
        "sender_user_name": "X",
    }
    plain = text_update(fixture_json, "Hoe vraag ik DigiD aan?", update_id=710000052)
    # act
    await feed(application, forwarded)
    await feed(application, plain)
    # assert
    first, second = fake_rasa.requests
    assert first["metadata"] == {"forwarded": True}
    assert first["message"] == "Uw pakket wacht. Betaal via post-nl.info/x"
    assert "metadata" not in second
