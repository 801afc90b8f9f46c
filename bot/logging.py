"""Logging set-up for the adapter processes: one structlog pipeline, JSON when not on a terminal.

Logs carry update kinds, latency and outcomes only. A last processor drops fields that could hold
message text or platform ids, as a safety net under the rule that code never logs them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Field names that could carry personal data; removed from every event dict before rendering.
PRIVATE_FIELDS = frozenset(
    {
        "text",
        "message_text",
        "body",
        "chat_id",
        "user_id",
        "from",
        "wa_id",
        "phone",
        "name",
        "username",
        "first_name",
        "last_name",
        "update",
        "payload",
        "token",
    }
)

# Libraries whose INFO lines contain URLs with the bot token or query strings with the verify token.
QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "uvicorn.access", "apscheduler")


def drop_private_fields(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Remove fields listed in ``PRIVATE_FIELDS`` from a log event.

    Args:
        _logger: Unused (structlog processor signature).
        _method: Unused (structlog processor signature).
        event_dict: The event being logged.

    Returns:
        The event without private fields.
    """
    for key in PRIVATE_FIELDS.intersection(event_dict):
        del event_dict[key]
    return event_dict


def configure_logging(json: bool | None = None, level: int = logging.INFO) -> None:
    """Configure structlog and route standard-library loggers through the same renderer.

    Args:
        json: Render JSON lines; default is JSON unless stdout is a terminal.
        level: Minimum level for our own loggers.
    """
    as_json = (not sys.stdout.isatty()) if json is None else json
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        drop_private_fields,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    tracebacks: Any = structlog.processors.dict_tracebacks if as_json else structlog.processors.format_exc_info
    structlog.configure(
        processors=[
            *shared,
            tracebacks,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processor=renderer))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
