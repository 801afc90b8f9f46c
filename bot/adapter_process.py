"""What every adapter process does around its own work: the command line and start-up checks, idle until a
stop signal, warn about a throwaway pseudonym key, and load the fixed texts. Shared by ``python -m
bot.telegram`` and ``python -m bot.whatsapp``, so both start and refuse the same way."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from bot.logging import configure_logging
from bot.messages import FixedTexts, load_fixed_texts
from bot.settings import AdapterSettings, RasaSettings, SettingsError
from shared.secret_policy import SecretCheck, summary


class ChannelSettings(Protocol):
    """What the start-up needs of a channel's settings (TelegramSettings, WhatsAppSettings)."""

    @property
    def configured(self) -> bool: ...

    def secret_checks(self, development: bool) -> list[SecretCheck]: ...

    def problems(self, development: bool) -> list[str]: ...


Channel = TypeVar("Channel", bound=ChannelSettings)


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


def main(
    argv: list[str] | None,
    *,
    name: str,
    description: str | None,
    unconfigured: str,
    channel_settings: Callable[[], Channel],
    run: Callable[[bytes, bool, RasaSettings, Channel], Coroutine[Any, Any, None]],
    log: Any,
) -> int:
    """Parse ``--if-configured``, check the settings and secrets, and run the adapter.

    Args:
        argv: Command-line arguments (default ``sys.argv[1:]``).
        name: The channel's package name (``telegram``, ``whatsapp``): the program and log prefix.
        description: The ``--help`` text.
        unconfigured: What is missing when the channel is not configured (printed with ``--if-configured``).
        channel_settings: Builds the channel's settings from the environment.
        run: The adapter's own coroutine: pseudonym key, whether it is a throwaway, Rasa and channel settings.
        log: The adapter's structlog logger.

    Returns:
        Process exit code: 0 after a clean stop, 2 when the settings are unsafe.
    """
    parser = argparse.ArgumentParser(prog=f"python -m bot.{name}", description=description)
    parser.add_argument(
        "--if-configured",
        action="store_true",
        help=f"when {unconfigured}, say so and idle instead of failing",
    )
    args = parser.parse_args(argv)
    adapter = AdapterSettings()
    configure_logging(json=adapter.log_json)
    channel = channel_settings()
    if args.if_configured and not channel.configured:
        asyncio.run(wait_for_signal(f"{name} adapter: skipped ({unconfigured})"))
        return 0
    development = adapter.is_development
    log.info(summary([*channel.secret_checks(development), adapter.pseudonym_check()]))
    problems = [*channel.problems(development), *adapter.problems()]
    try:
        if problems:
            raise SettingsError("; ".join(problems))
        key, throwaway = adapter.pseudonym_key_bytes()
    except SettingsError as error:
        print(f"{name} adapter: cannot start: {error}", file=sys.stderr)  # noqa: T201
        return 2
    asyncio.run(run(key, throwaway, RasaSettings(), channel))
    return 0
