"""Runs the WhatsApp adapter: ``python -m bot.whatsapp [--if-configured]``.

Serves the webhook with uvicorn on ``WHATSAPP_HOST:WHATSAPP_PORT`` (default 127.0.0.1:8081). Refuses
to start when a secret is missing. With ``--if-configured`` and no ``WHATSAPP_*`` variable set it
prints one line and idles, so ``make run`` (honcho) keeps the other processes running.
"""

from __future__ import annotations

import sys

import httpx
import structlog
import uvicorn

from bot import adapter_process
from bot.adapter_process import prepare
from bot.rasa_client import RasaClient
from bot.settings import RasaSettings, WhatsAppSettings
from bot.whatsapp.app import app_from_settings

log = structlog.get_logger("bot.whatsapp")


async def run(key: bytes, throwaway: bool, rasa: RasaSettings, whatsapp: WhatsAppSettings) -> None:
    """Serve the webhook until SIGINT or SIGTERM.

    Args:
        key: Pseudonym key.
        throwaway: Whether the key is a per-process development key (warned about loudly).
        rasa: Where Rasa is.
        whatsapp: Validated WhatsApp settings.
    """
    texts = prepare(log, throwaway)
    async with httpx.AsyncClient() as http:
        rasa_client = RasaClient(http, rasa, texts.get("rasa_unavailable"))
        _, app = app_from_settings(http, whatsapp, rasa_client, texts, key)
        # access_log=False: the verification GET carries the verify token in its query string.
        config = uvicorn.Config(app, host=whatsapp.host, port=whatsapp.port, access_log=False, log_config=None)
        log.info("whatsapp_started", port=whatsapp.port)
        await uvicorn.Server(config).serve()
    log.info("whatsapp_stopped")


def main(argv: list[str] | None = None) -> int:
    """Run the WhatsApp adapter (exit code 2 when the settings are unsafe)."""
    return adapter_process.main(
        argv,
        name="whatsapp",
        description=__doc__,
        unconfigured="no WHATSAPP_* variable is set",
        channel_settings=WhatsAppSettings,
        run=run,
        log=log,
    )


if __name__ == "__main__":
    sys.exit(main())
