"""The WhatsApp webhook: verifies, answers 200 at once, and processes messages in the background.

``GET /webhook`` answers Meta's subscription check; ``POST /webhook`` needs a valid
``X-Hub-Signature-256`` over the raw body (401 otherwise), drops redelivered ``wamid``s and
schedules each message. Meta retries slow or failing deliveries and may disable the webhook, so
nothing on the request path waits for Rasa or the Graph API.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.dedupe import SeenIds
from bot.pseudonym import pseudonymise
from bot.rasa_client import RasaClient
from bot.request_body import read_limited_body
from bot.settings import WhatsAppSettings
from bot.telegram.callback_ids import CallbackIds
from bot.whatsapp.graph_client import GraphClient, SendOutcome
from bot.whatsapp.payloads import InboundKind, InboundMessage, PayloadError, parse_webhook
from bot.whatsapp.render import render, text_message
from bot.whatsapp.signature import verify_signature, verify_subscription
from bot.whatsapp.window import ServiceWindow
from shared.messages import FixedTexts, IncomingMessage
from shared.rest_contract import WHATSAPP

CHANNEL = WHATSAPP  # the input_channel Rasa's REST channel accepts (shared/rest_contract.py)
SIGNATURE_HEADER = "X-Hub-Signature-256"
DRAIN_SECONDS = 10.0

log = structlog.get_logger("bot.whatsapp")


@dataclass
class WhatsAppService:
    """Answers one inbound message: pseudonymise, ask Rasa, render, send within the 24 h window."""

    rasa: RasaClient
    graph: GraphClient
    ids: CallbackIds
    texts: FixedTexts
    pseudonym_key: bytes
    phone_number_id: str
    window: ServiceWindow = field(default_factory=ServiceWindow)

    async def handle(self, message: InboundMessage) -> None:
        """Process one message; never raises, logs one line per message.

        Args:
            message: A parsed inbound message.
        """
        started = time.perf_counter()
        fields: dict[str, Any] = {"kind": message.kind.value, "type": message.message_type}
        try:
            fields.update(await self._handle(message))
        except Exception as error:  # a background task must not die silently
            fields.update(outcome="error", error=type(error).__name__)
        fields["latency_ms"] = round((time.perf_counter() - started) * 1000)
        log.info("whatsapp_turn", **fields)

    async def _handle(self, message: InboundMessage) -> dict[str, Any]:
        if message.phone_number_id and message.phone_number_id != self.phone_number_id:
            return {"outcome": "other_number"}
        if message.kind is InboundKind.IGNORED:
            return {"outcome": "ignored"}
        sender = pseudonymise(CHANNEL, message.wa_id, self.pseudonym_key)
        self.window.record_inbound(sender, message.timestamp)
        if message.kind is InboundKind.UNSUPPORTED:
            objects = [text_message(self.texts.get("text_only"))]
            return await self._send_all(sender, message.wa_id, objects, outcome="text_only")
        text = message.content
        if message.kind is InboundKind.PAYLOAD:
            payload = self.ids.payload_for(message.content)
            if payload is not None and not self.rasa.was_offered(sender, payload):
                payload = None  # a reply id this conversation was never offered
            if payload is None:
                objects = [text_message(self.texts.get("button_expired"))]
                return await self._send_all(sender, message.wa_id, objects, outcome="expired")
            text = payload
        forwarded = message.forwarded and message.kind is InboundKind.TEXT
        reply = await self.rasa.send(
            IncomingMessage(sender=sender, text=text, channel=CHANNEL, forwarded=forwarded)
        )
        objects = render(
            reply.messages,
            self.ids,
            self.texts.get("choose_option"),
            self.texts.get("list_button"),
        )
        result = await self._send_all(sender, message.wa_id, objects, outcome=reply.outcome.value)
        result["pii_kinds"] = sorted(set(reply.pii_found))
        result["rasa_ms"] = reply.latency_ms
        return result

    async def _send_all(
        self, sender: str, wa_id: str, objects: list[dict[str, Any]], outcome: str
    ) -> dict[str, Any]:
        sent = 0
        send_outcome = SendOutcome.SENT
        for obj in objects:
            if not self.window.is_open(sender):
                send_outcome = SendOutcome.WINDOW_CLOSED
                break
            send_outcome = await self.graph.send(wa_id, obj)
            if send_outcome is not SendOutcome.SENT:
                break
            sent += 1
        return {"outcome": outcome, "send": send_outcome.value, "replies": sent}


class BackgroundRunner:
    """Runs message handling after the HTTP response, bounded in concurrency, in order per user.

    Args:
        concurrency: Messages handled at the same time.
    """

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._chains: dict[str, asyncio.Task[None]] = {}

    def submit(self, key: str, job: Callable[[], Awaitable[None]]) -> None:
        """Schedule ``job`` after any earlier job with the same key (one user's messages in order).

        Args:
            key: Ordering key (the pseudonym, never a phone number).
            job: The coroutine factory to run.
        """
        previous = self._chains.get(key)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait({previous})
            async with self._slots:
                await job()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        self._chains[key] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._chains.get(key) is finished:
                del self._chains[key]

        task.add_done_callback(done)

    @property
    def pending(self) -> int:
        """Number of jobs not yet finished."""
        return len(self._tasks)

    async def drain(self, timeout: float) -> None:
        """Wait for running jobs, up to ``timeout`` seconds, then cancel the rest.

        Args:
            timeout: Seconds to wait.
        """
        if not self._tasks:
            return
        _done, still_running = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in still_running:
            task.cancel()


def create_app(
    service: WhatsAppService,
    *,
    app_secret: bytes,
    verify_token: bytes,
    max_body_bytes: int,
    concurrency: int,
    seen: SeenIds | None = None,
) -> Starlette:
    """Create the webhook ASGI app.

    Args:
        service: Handles each message in the background.
        app_secret: Meta app secret for ``X-Hub-Signature-256``; required.
        verify_token: Our verify token for the GET subscription check; required.
        max_body_bytes: Larger bodies get 413 before any parsing.
        concurrency: Messages handled at the same time.
        seen: Dedupe store for ``wamid``s (a fresh one by default).

    Returns:
        A Starlette app with ``GET/POST /webhook`` and ``GET /healthz``.

    Raises:
        ValueError: When a secret is empty: the adapter refuses to run unverified.
    """
    if not app_secret or not verify_token:
        raise ValueError("WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are required")
    runner = BackgroundRunner(concurrency)
    seen_ids = seen if seen is not None else SeenIds()

    async def verify(request: Request) -> Response:
        params = request.query_params
        challenge = verify_subscription(
            verify_token,
            params.get("hub.mode"),
            params.get("hub.verify_token"),
            params.get("hub.challenge"),
        )
        if challenge is None:
            log.warning("whatsapp_verify_rejected")
            return Response(status_code=403)
        log.info("whatsapp_verified")
        return PlainTextResponse(challenge)

    async def receive(request: Request) -> Response:
        body = await read_limited_body(request, max_body_bytes)
        if body is None:
            log.warning("whatsapp_webhook_rejected", reason="too_large")
            return Response(status_code=413)
        if not verify_signature(app_secret, body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("whatsapp_webhook_rejected", reason="signature")
            return Response(status_code=401)
        try:
            batch = parse_webhook(json.loads(body))
        except (ValueError, PayloadError):
            log.warning("whatsapp_webhook_rejected", reason="malformed")
            return Response(status_code=400)
        duplicates = 0
        for message in batch.messages:
            if not seen_ids.first_time(message.wamid):
                duplicates += 1
                continue
            key = pseudonymise(CHANNEL, message.wa_id, service.pseudonym_key)
            runner.submit(key, functools.partial(service.handle, message))
        log.info(
            "whatsapp_webhook",
            messages=len(batch.messages),
            duplicates=duplicates,
            statuses=batch.statuses,
        )
        return Response(status_code=200)

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await runner.drain(DRAIN_SECONDS)

    app = Starlette(
        routes=[
            Route("/webhook", verify, methods=["GET"]),
            Route("/webhook", receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.runner = runner
    return app


def app_from_settings(
    http: httpx.AsyncClient,
    whatsapp: WhatsAppSettings,
    rasa: RasaClient,
    texts: FixedTexts,
    pseudonym_key: bytes,
    *,
    graph_retry_delay_seconds: float = 2.0,
) -> tuple[WhatsAppService, Starlette]:
    """The service and its webhook app from validated settings: one assembly for the process and its tests.

    Raises:
        ValueError: A setting the webhook needs (app secret, verify token, phone number id) is missing.
    """
    if whatsapp.app_secret is None or whatsapp.verify_token is None or whatsapp.phone_number_id is None:
        raise ValueError("WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and WHATSAPP_PHONE_NUMBER_ID are required")
    service = WhatsAppService(
        rasa=rasa,
        graph=GraphClient(http, whatsapp, retry_delay_seconds=graph_retry_delay_seconds),
        ids=CallbackIds(),
        texts=texts,
        pseudonym_key=pseudonym_key,
        phone_number_id=whatsapp.phone_number_id,
    )
    app = create_app(
        service,
        app_secret=whatsapp.app_secret.get_secret_value().encode(),
        verify_token=whatsapp.verify_token.get_secret_value().encode(),
        max_body_bytes=whatsapp.max_body_bytes,
        concurrency=whatsapp.concurrency,
    )
    return service, app
