"""Sends one user message to Rasa's REST channel and returns what the bot should say.

Personal data is masked here, the one exit towards Rasa. When Rasa is down, slow or silent the
reply is the fixed text from ``knowledge/messages.yml``, so the user always gets an answer.
Payload syntax (``/intent{...}``) reaches Rasa only when it equals a button payload this client
handed to the same sender recently, or when the adapter built it itself (``bot_payload``);
anything else loses its slash first (``bot/payload_guard.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx

from bot.input_text import MAX_MESSAGE_CHARS, clean_text
from bot.messages import Button, IncomingMessage, OutgoingMessage
from bot.payload_guard import OfferedPayloads, guard
from bot.settings import RasaSettings
from knowledge.pii import MaskResult, mask_pii


class RasaOutcome(str, Enum):
    """How the call to Rasa went; logged, never shown to users."""

    OK = "ok"
    EMPTY = "empty"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    BAD_RESPONSE = "bad_response"


@dataclass(frozen=True)
class RasaReply:
    """The messages to send, how the call went, and which kinds of personal data were masked."""

    messages: list[OutgoingMessage]
    outcome: RasaOutcome
    pii_found: tuple[str, ...]
    latency_ms: int


def parse_rasa_response(data: Any) -> list[OutgoingMessage]:
    """Turn the REST channel's JSON list into messages; unknown or malformed items are skipped.

    Args:
        data: Decoded JSON from ``POST /webhooks/rest/webhook``.

    Returns:
        Messages with text and/or buttons, in order.

    Raises:
        ValueError: When the top level is not a list.
    """
    if not isinstance(data, list):
        raise ValueError("Rasa REST reply is not a JSON list")
    messages: list[OutgoingMessage] = []
    for item in data:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        text = text if isinstance(text, str) else ""
        buttons: list[Button] = []
        raw_buttons = item.get("buttons")
        if isinstance(raw_buttons, list):
            for raw in raw_buttons:
                if not isinstance(raw, dict):
                    continue
                title, payload = raw.get("title"), raw.get("payload")
                if isinstance(title, str) and isinstance(payload, str) and title and payload:
                    buttons.append(Button(title=title, payload=payload))
        if text.strip() or buttons:
            messages.append(OutgoingMessage(text=text, buttons=tuple(buttons)))
    return messages


class RasaClient:
    """Client for Rasa's REST channel.

    Args:
        http: Shared ``httpx.AsyncClient``, owned by the caller.
        settings: Rasa URL and timeout.
        fallback_text: Text sent when Rasa gives no usable answer.
        offered: Record of the button payloads sent per sender (a fresh one by default).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: RasaSettings,
        fallback_text: str,
        offered: OfferedPayloads | None = None,
    ) -> None:
        self._http = http
        self._url = settings.webhook_url
        self._timeout = httpx.Timeout(settings.timeout_seconds)
        self._fallback = fallback_text
        self._offered = offered if offered is not None else OfferedPayloads()

    def was_offered(self, sender: str, payload: str) -> bool:
        """True when ``payload`` belongs to a button this client passed to ``sender`` recently.

        Adapters call this for button presses: callback data and reply ids can be forged by a
        client, so a payload counts only when this conversation was offered it.
        """
        return self._offered.was_offered(sender, payload)

    async def send(self, message: IncomingMessage) -> RasaReply:
        """Mask the text, post it to Rasa and return the reply (or the fallback text).

        Args:
            message: Pseudonymous sender, raw text or payload, and channel name.

        Returns:
            The reply; never raises for Rasa failures.
        """
        text = clean_text(message.text, MAX_MESSAGE_CHARS)
        guarded = guard(self._offered, message.sender, text)
        if message.bot_payload or guarded.outcome == "payload":
            masked = MaskResult(text=text.strip(), found=[])
        else:
            masked = mask_pii(guarded.text)
        body: dict[str, Any] = {
            "sender": message.sender,
            "message": masked.text,
            "input_channel": message.channel,
        }
        if message.forwarded and not message.bot_payload:
            # Rasa's REST channel passes "metadata" on to the user event; actions/message_check.py reads it.
            body["metadata"] = {"forwarded": True}
        started = time.perf_counter()
        outcome = RasaOutcome.OK
        messages: list[OutgoingMessage] = []
        try:
            response = await self._http.post(self._url, json=body, timeout=self._timeout)
            response.raise_for_status()
            messages = parse_rasa_response(response.json())
            self._offered.record(message.sender, [b.payload for m in messages for b in m.buttons])
            if not messages:
                outcome = RasaOutcome.EMPTY
        except httpx.TimeoutException:
            outcome = RasaOutcome.TIMEOUT
        except httpx.HTTPStatusError:
            outcome = RasaOutcome.BAD_RESPONSE
        except httpx.TransportError:
            outcome = RasaOutcome.UNREACHABLE
        except ValueError:
            outcome = RasaOutcome.BAD_RESPONSE
        if outcome is not RasaOutcome.OK:
            messages = [OutgoingMessage(text=self._fallback)]
        latency_ms = round((time.perf_counter() - started) * 1000)
        return RasaReply(
            messages=messages,
            outcome=outcome,
            pii_found=tuple(masked.found),
            latency_ms=latency_ms,
        )
