"""What every adapter process does around its own work: idle until a stop signal, warn about a throwaway
pseudonym key, and load the fixed texts. Shared by ``python -m bot.telegram`` and ``python -m bot.whatsapp``."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from bot.messages import FixedTexts, load_fixed_texts


async def wait_for_signal(notice: str | None = None) -> None:
    """Print ``notice`` (if any) and wait for SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if notice:
        print(notice, flush=True)  # noqa: T201
    await stop.wait()


def prepare(log: Any, throwaway_key: bool) -> FixedTexts:
    """Warn loudly about a per-process pseudonym key, and load the fixed texts (a broken file stops the start).

    Args:
        log: The adapter's structlog logger.
        throwaway_key: Whether the pseudonym key is a random development key.

    Returns:
        The fixed texts from knowledge/messages.yml.
    """
    if throwaway_key:
        log.warning(
            "pseudonym_key_throwaway",
            detail="ADAPTER_PSEUDONYM_KEY not set; using a random key for this process only "
            "(APP_ENV=development). Conversations restart when the adapter restarts.",
        )
    return load_fixed_texts()
