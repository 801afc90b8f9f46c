"""Runs the Telegram adapter: ``python -m bot.telegram [--if-configured]``.

Polling by default (no inbound port, works behind the library's firewall); webhook mode with a
secret token when ``TELEGRAM_MODE=webhook``. With ``--if-configured`` and no token it prints one
line and idles, so ``make run`` (honcho) keeps the other processes running.
"""

from __future__ import annotations

import sys

import httpx
import structlog
import uvicorn

from bot import adapter_process
from bot.adapter_process import prepare, wait_for_signal
from bot.dedupe import SeenIds
from bot.rasa_client import RasaClient
from bot.settings import RasaSettings, TelegramSettings
from bot.telegram.app import (
    ALLOWED_UPDATES,
    AnyApplication,
    build_application,
    create_webhook_app,
)
from bot.telegram.callback_ids import CallbackIds
from bot.telegram.handlers import TelegramHandlers

log = structlog.get_logger("bot.telegram")


async def run(key: bytes, throwaway: bool, rasa: RasaSettings, telegram: TelegramSettings) -> None:
    """Run until SIGINT or SIGTERM.

    Args:
        key: Pseudonym key.
        throwaway: Whether the key is a per-process development key (warned about loudly).
        rasa: Where Rasa is.
        telegram: Token and mode.
    """
    texts = prepare(log, throwaway)
    webhook = telegram.mode == "webhook"
    async with httpx.AsyncClient() as http:
        handlers = TelegramHandlers(
            rasa=RasaClient(http, rasa, texts.get("rasa_unavailable")),
            ids=CallbackIds(),
            texts=texts,
            pseudonym_key=key,
        )
        application = build_application(telegram, handlers, webhook=webhook)
        async with application:
            if webhook:
                await _run_webhook(application, telegram)
            else:
                assert application.updater is not None
                await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                await application.start()
                log.info("telegram_started", mode="polling")
                await wait_for_signal()
                await application.updater.stop()
                await application.stop()
    log.info("telegram_stopped")


async def _run_webhook(application: AnyApplication, telegram: TelegramSettings) -> None:
    assert telegram.webhook_secret is not None and telegram.webhook_url is not None
    secret = telegram.webhook_secret.get_secret_value()
    await application.bot.set_webhook(
        url=telegram.webhook_url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        max_connections=40,
    )
    app = create_webhook_app(application, secret, telegram.webhook_path, SeenIds())
    config = uvicorn.Config(
        app,
        host=telegram.webhook_host,
        port=telegram.webhook_port,
        access_log=False,
        log_config=None,
    )
    await application.start()
    log.info("telegram_started", mode="webhook", port=telegram.webhook_port)
    await uvicorn.Server(config).serve()
    await application.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the Telegram adapter (exit code 2 when the settings are unsafe)."""
    return adapter_process.main(
        argv,
        name="telegram",
        description=__doc__,
        unconfigured="TELEGRAM_BOT_TOKEN is not set",
        channel_settings=TelegramSettings,
        run=run,
        log=log,
    )


if __name__ == "__main__":
    sys.exit(main())
