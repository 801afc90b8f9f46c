"""Builds the Telegram ``Application`` and, for webhook mode, the small ASGI app that feeds it.

PTB's built-in webhook server compares the secret token with ``!=``; this app checks it in constant
time (``hmac.compare_digest``), caps the body size and drops redelivered ``update_id``s before
handing the update to the application's queue (PTB example ``customwebhookbot/starlettebot.py``).
"""

from __future__ import annotations

import hmac
import json
from typing import Any, TypeAlias

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import AIORateLimiter, Application

from bot.dedupe import SeenIds
from bot.request_body import read_limited_body
from bot.settings import TelegramSettings
from bot.telegram.handlers import TelegramHandlers

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
MAX_UPDATE_BYTES = 1024 * 1024

AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

log = structlog.get_logger("bot.telegram")


def build_application(
    settings: TelegramSettings, handlers: TelegramHandlers, *, webhook: bool
) -> AnyApplication:
    """Create the PTB application: no persistence, AIORateLimiter, our handlers.

    Args:
        settings: Token, Bot API base URL, concurrency and retry count for flood control.
        handlers: The handlers to register.
        webhook: True to build without an ``Updater`` (updates come from ``create_webhook_app``).

    Returns:
        The application, not yet initialised.
    """
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required")
    builder = (
        Application.builder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.api_base_url)
        .rate_limiter(AIORateLimiter(max_retries=settings.max_retries))
        .concurrent_updates(settings.concurrent_updates)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    handlers.register(application)
    return application


def create_webhook_app(
    application: AnyApplication,
    secret_token: str,
    path: str,
    seen: SeenIds,
) -> Starlette:
    """Create the ASGI app that receives Telegram's webhook calls.

    Args:
        application: A started PTB application built with ``webhook=True``.
        secret_token: The ``secret_token`` given to ``setWebhook``; requests without it get 403.
        path: URL path of the webhook.
        seen: Remembers update ids, so a redelivered update is processed once.

    Returns:
        A Starlette app with the webhook route and ``GET /healthz``.
    """
    if not secret_token:
        raise ValueError("a webhook needs a secret token")
    expected = secret_token.encode()

    async def receive_update(request: Request) -> Response:
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, expected):
            log.warning("telegram_webhook_rejected", reason="secret_token")
            return Response(status_code=403)
        body = await read_limited_body(request, MAX_UPDATE_BYTES)
        if body is None:
            log.warning("telegram_webhook_rejected", reason="too_large")
            return Response(status_code=413)
        try:
            update = Update.de_json(json.loads(body), application.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("telegram_webhook_rejected", reason="malformed")
            return Response(status_code=400)
        if not seen.first_time(str(update.update_id)):
            log.info("telegram_webhook_duplicate")
            return Response(status_code=200)
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(path, receive_update, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )
