"""A resident's message with a BSN, a phone number, an e-mail address and an IBAN, through every entry point of
the real stack, with everything up, with PostgreSQL (tracker store) down and with Redis (lock store) down,
leaves none of them in any process's log, the tracker store, the outbox or the reach API's database.

Entry points: Rasa's REST channel posted to directly with the raw text (``bot/connectors/rest.py`` must mask
it: nothing in front did), the adapters' path (``bot/rasa_client.py`` as Telegram and WhatsApp call it), the
WhatsApp adapter's webhook app with a signed Cloud API message (``whatsapp_entry.py``; its own log lines are
checked as well) and the web-chat socket (``bot/connectors/webchat.py``). The Telegram adapter has no
in-stack helper: its handlers call the same ``RasaClient`` with ``telegram``, which is covered. With Redis down
every turn fails inside Rasa: the channel's failure line is checked to be there, and to hold no text.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from structlog.testing import capture_logs

from bot.messages import IncomingMessage
from bot.rasa_client import RasaClient
from bot.rest_contract import TELEGRAM, WHATSAPP
from knowledge.pii import BSN, EMAIL, IBAN, TELEFOON, mask_pii
from tests.faults.fault_support import Drill, tracker_events, user_events
from tests.faults.webchat_client import WebchatClient
from tests.faults.whatsapp_entry import WhatsAppEntry, whatsapp_adapter

PII = {BSN: "111222333", TELEFOON: "0612345678", EMAIL: "jan.jansen@example.nl", IBAN: "NL91ABNA0417164300"}
MESSAGE = (
    f"Mijn BSN is {PII[BSN]}, bel mij op {PII[TELEFOON]} of mail {PII[EMAIL]}. "
    f"Mijn rekening is {PII[IBAN]}. Hoe vraag ik een DigiD aan?"
)
# Also the forms masking could leave half: the phone without its leading zero, the IBAN's account number.
FRAGMENTS = (*PII.values(), PII[TELEFOON][1:], PII[IBAN][8:], "jan.jansen")

Send = Callable[[Drill, RasaClient, str], Awaitable[str]]


def _rest_raw(channel: str | None) -> Send:
    async def send(drill: Drill, _: RasaClient, prefix: str) -> str:
        sender = f"{prefix}-rest-{channel or 'none'}-{uuid.uuid4().hex[:8]}"
        body = {"sender": sender, "message": MESSAGE}
        if channel is not None:
            body["input_channel"] = channel
        async with httpx.AsyncClient(timeout=30) as http:
            reply = await http.post(f"{drill.rasa_url}/webhooks/rest/webhook", json=body)
        assert reply.status_code == 200, reply.text
        return sender

    return send


def _adapter(channel: str) -> Send:
    async def send(_: Drill, rasa: RasaClient, prefix: str) -> str:
        sender = f"{prefix}-adapter-{channel}-{uuid.uuid4().hex[:8]}"
        reply = await rasa.send(IncomingMessage(sender=sender, text=MESSAGE, channel=channel))
        assert reply.messages and set(reply.pii_found) >= set(PII)
        return sender

    return send


async def _webchat(drill: Drill, _: RasaClient, prefix: str) -> str:
    client = await WebchatClient(drill.rasa_url).open()
    try:
        turn = await client.say(MESSAGE)
        # With Redis down the turn fails inside Rasa and the socket stays silent; the others must answer.
        assert turn.messages or prefix.endswith("redis-down"), "the web chat gave no answer"
        return client.sender_id
    finally:
        await client.close()


ENTRY_POINTS: tuple[Send, ...] = (
    _rest_raw(None),
    _rest_raw(TELEGRAM),
    _rest_raw(WHATSAPP),
    _adapter(TELEGRAM),
    _adapter(WHATSAPP),
    _webchat,
)


async def _through_every_entry_point(
    drill: Drill, rasa: RasaClient, whatsapp: WhatsAppEntry, prefix: str
) -> list[str]:
    senders = [await send(drill, rasa, prefix) for send in ENTRY_POINTS]
    return [*senders, await whatsapp.say(MESSAGE)]


def _leaks(text: str) -> list[str]:
    return [fragment for fragment in FRAGMENTS if fragment in text]


def _sqlite_text(path: Path, query: str) -> str:
    with sqlite3.connect(path) as db:
        return "\n".join(str(row) for row in db.execute(query))


async def test_personal_data_reaches_no_log_tracker_or_outbox_even_when_stores_are_down(
    drill: Drill, adapter_client: RasaClient
) -> None:
    # arrange: the message really holds all four kinds
    assert set(mask_pii(MESSAGE).found) >= set(PII)
    logs_before = {path.name: path.stat().st_size for path in drill.stack.workdir.glob("*.log")}

    # act: everything up, then PostgreSQL down, then Redis down
    async with whatsapp_adapter(drill.rasa_url) as whatsapp:
        with capture_logs() as adapter_logs:
            stored = await _through_every_entry_point(drill, adapter_client, whatsapp, "pii-up")
            drill.postgres.stop()
            try:
                unstored = await _through_every_entry_point(drill, adapter_client, whatsapp, "pii-pg-down")
            finally:
                drill.postgres.start()
            drill.redis.stop()
            try:
                failed = await _through_every_entry_point(drill, adapter_client, whatsapp, "pii-redis-down")
            finally:
                drill.redis.start()
    wa_ids = whatsapp.wa_ids

    # assert: stored conversations hold the placeholders, never the data
    for sender in stored:
        events = tracker_events(drill.rasa_url, sender)
        texts = " ".join(str(event.get("text")) for event in user_events(events))
        assert "[BSN]" in texts and "[IBAN]" in texts, f"{sender}: the message was not stored masked: {texts}"
        assert not _leaks(json.dumps(events, ensure_ascii=False)), f"the tracker of {sender} holds PII"
    for sender in unstored + failed:
        events_text = json.dumps(tracker_events(drill.rasa_url, sender), ensure_ascii=False)
        assert not _leaks(events_text) and not [w for w in wa_ids if w in events_text], sender
    # no log line of any process (Rasa, actions, relay, API) holds any of it, also not the failure lines
    logs = {path.name: path.read_text(errors="replace") for path in drill.stack.workdir.glob("*.log")}
    assert {"rasa.log", "actions.log"} <= set(logs)
    logs["whatsapp adapter"] = json.dumps(adapter_logs, ensure_ascii=False, default=str)
    assert len(adapter_logs) >= 3, adapter_logs
    for name, text in logs.items():
        new = text[logs_before.get(name, 0) :]
        assert not _leaks(new), f"{name} holds personal data: {_leaks(new)}"
        assert not [wa_id for wa_id in wa_ids if wa_id in new], f"{name} holds a WhatsApp number"
    rasa_log = logs["rasa.log"][logs_before.get("rasa.log", 0) :]
    assert "a REST turn failed with" in rasa_log and "its text is not logged" in rasa_log
    assert "masked personal data in a REST message: " in rasa_log
    # nor the outbox or the reach API's database
    env = drill.stack.env
    outbox = _sqlite_text(Path(env["OUTBOX_PATH"]), "SELECT payload FROM outbox")
    api = _sqlite_text(Path(env["API_DATABASE_URL"].removeprefix("sqlite:///")), "SELECT * FROM event")
    assert outbox and not _leaks(outbox) and not _leaks(api)
