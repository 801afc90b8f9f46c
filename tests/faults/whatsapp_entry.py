"""The WhatsApp adapter as an entry point of the real stack: our real webhook app and Rasa client, in front of
the real Rasa, with the adapter tests' stand-in for Meta's Graph API (tests/bot/adapter_fakes.py) behind it.

A resident's message arrives as a signed Cloud API webhook, as Meta would post it; the adapter answers it
through Rasa and sends the reply to the stand-in. The adapter's own log lines are captured with structlog's
test helper, so they can be checked for personal data too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.pseudonym import pseudonymise
from bot.rasa_client import RasaClient
from bot.settings import RasaSettings, WhatsAppSettings
from bot.whatsapp.app import app_from_settings
from bot.whatsapp.signature import sign
from shared.messages import load_fixed_texts
from shared.rest_contract import WHATSAPP
from tests.bot.adapter_fakes import FakeGraph, ThreadServer, serve_in_loop

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp_text_message.json"
APP_SECRET = b"fault-drill-app-secret-0123456789"
VERIFY_TOKEN = b"fault-drill-verify-token"
PSEUDONYM_KEY = b"fault-drill-pseudonym-key-0123456789"


class WhatsAppEntry:
    """Posts signed webhooks to a running adapter and waits for its reply to reach the Graph stand-in."""

    def __init__(self, client: httpx.AsyncClient, graph: FakeGraph) -> None:
        self.client = client
        self.graph = graph
        self.wa_ids: list[str] = []

    async def say(self, text: str, timeout: float = 30.0) -> str:
        """Send ``text`` from a new WhatsApp user; returns Rasa's sender id (the pseudonym)."""
        wa_id = f"3160{uuid.uuid4().int % 10**7:07d}"
        self.wa_ids.append(wa_id)
        payload: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
        value = payload["entry"][0]["changes"][0]["value"]
        value["contacts"][0]["wa_id"] = wa_id
        value["messages"][0].update(
            {"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time()))}
        )
        value["messages"][0]["text"]["body"] = text
        raw = json.dumps(payload).encode()
        sent_before = len(self.graph.sent)
        reply = await self.client.post(
            "/webhook",
            content=raw,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(APP_SECRET, raw)},
        )
        assert reply.status_code == 200, reply.text
        deadline = time.monotonic() + timeout
        while len(self.graph.sent) == sent_before:
            assert time.monotonic() < deadline, "the WhatsApp adapter sent no reply"
            await asyncio.sleep(0.05)
        return pseudonymise(WHATSAPP, wa_id, PSEUDONYM_KEY)


@contextlib.asynccontextmanager
async def whatsapp_adapter(rasa_url: str) -> AsyncIterator[WhatsAppEntry]:
    """The adapter's webhook app on a free port, talking to Rasa at ``rasa_url``."""
    graph = FakeGraph()
    with ThreadServer(graph.app()) as server:
        settings = WhatsAppSettings(
            app_secret=SecretStr(APP_SECRET.decode()),
            verify_token=SecretStr(VERIFY_TOKEN.decode()),
            access_token=SecretStr(graph.token),
            phone_number_id=graph.phone_number_id,
            api_version=graph.version,
            graph_base_url=server.url,
            max_body_bytes=64 * 1024,
            concurrency=4,
        )
        texts = load_fixed_texts()
        async with httpx.AsyncClient() as http:
            rasa_settings = RasaSettings(url=rasa_url, timeout_seconds=10)
            rasa = RasaClient(http, rasa_settings, texts.get("rasa_unavailable"))
            _, app = app_from_settings(
                http, settings, rasa, texts, PSEUDONYM_KEY, graph_retry_delay_seconds=0.05
            )
            async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url) as client:
                yield WhatsAppEntry(client, graph)
