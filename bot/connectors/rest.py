"""MaskedRestInput: Rasa's REST channel (``POST /webhooks/rest/webhook``) with the guards the stock one lacks.

The Telegram and WhatsApp adapters (``bot/rasa_client.py``), the scripts and the tests post here. The stock
``RestInput`` (``rasa/core/channels/rest.py`` in Rasa 3.6) stores whatever arrives and logs the raw message at
ERROR when a turn fails or times out (a Redis or PostgreSQL outage, say). This channel, named ``rest`` so the
path stays the same:

1. Refuses, with 400 and an English error that never repeats what was sent, a body that is not a JSON object,
   a sender id, channel name or metadata outside ``bot/rest_contract.py``, a message that is not a string, and
   ``?stream=true`` (nothing uses it, and the stock stream path has no error handling). A body over
   ``MAX_BODY_BYTES`` gets 413.
2. Cleans the text (``bot/input_text.py``) and masks personal data (``knowledge/pii.py``) before Rasa parses,
   stores or logs it, whoever the caller is; the adapters mask already, a direct caller may not.
   Payload syntax (``/intent{...}``) is masked like any text but not neutralised: this channel's callers
   are the adapters, which guard payloads themselves (``bot/payload_guard.py``) because only they know the
   payloads they build (Telegram's ``/begroeting`` and deep-link places), and the tests drive dialogues with
   typed payloads. The port is internal (docs/threat-model.md).
3. Logs a failed or cancelled turn with the exception's type and place only: never the text, never the
   exception's message (which can quote it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.connectors import follow_rasa_log_level, speedups
from bot.input_text import MAX_MESSAGE_CHARS, clean_text
from bot.rest_contract import MAX_BODY_BYTES, REST, channel_problem, metadata_problem, sender_problem
from knowledge.pii import mask_pii

log = logging.getLogger(__name__)


def refuse(problem: str, status: int = 400) -> HTTPResponse:
    """A JSON error for the caller; ``problem`` names the rule, never the value sent."""
    return response.json({"error": problem}, status=status)


def read_body(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The request body as a JSON object, or the reason it is not one."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return None, "the body must be a JSON object"
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    return body, None


def body_problem(body: dict[str, Any]) -> str | None:
    """The first rule of ``bot/rest_contract.py`` the body breaks, or None."""
    if not isinstance(body.get("message"), str):
        return "'message' is required and must be a string"
    return (
        sender_problem(body.get("sender"))
        or channel_problem(body.get("input_channel"))
        or metadata_problem(body.get("metadata"))
    )


def where_raised(exc: BaseException) -> str:
    """``file:line in function`` of the innermost frame: enough to find a failure without its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown place"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


class MaskedRestInput(RestInput):
    """The REST channel for the adapters: checked bodies, masked text, no text in any log line."""

    @classmethod
    def name(cls) -> str:
        """``rest``: the stock name, so the URL stays ``/webhooks/rest/webhook``."""
        return REST

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """No settings; installs the Rasa speed-ups (``bot/connectors/speedups.py``) as the web chat does."""
        speedups.install()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` (health) and ``POST /webhook``, replacing the stock handlers (module docstring)."""
        follow_rasa_log_level()
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return refuse(f"the body must be at most {MAX_BODY_BYTES} bytes", status=413)
            if request.args.get("stream", "false").lower() != "false":
                return refuse("this channel does not stream replies; leave out 'stream'")
            body, problem = read_body(request.body)
            if body is None:
                return refuse(problem or "the body must be a JSON object")
            problem = body_problem(body)
            if problem is not None:
                log.info("refused a REST message: %s", problem)
                return refuse(problem)
            masked = mask_pii(clean_text(body["message"], MAX_MESSAGE_CHARS))
            if masked.found:
                log.info("masked personal data in a REST message: %s", ",".join(masked.found))
            collector = CollectingOutputChannel()
            message = UserMessage(
                masked.text,
                collector,
                body["sender"],
                input_channel=body.get("input_channel") or REST,
                metadata=body.get("metadata"),
            )
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                log.error("a REST turn was cancelled (timeout or disconnect); its text is not logged")
                raise
            except Exception as exc:
                failure, place = type(exc).__name__, where_raised(exc)
                log.error("a REST turn failed with %s at %s; its text is not logged", failure, place)
            return response.json(collector.messages)

        return webhook
