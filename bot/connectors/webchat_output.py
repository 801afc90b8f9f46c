"""The web chat's side of a turn's answer: which buttons a conversation was offered, and no silent turns.

Two needs share one wrapper around Rasa's socket output channel, because both watch what the bot sends:

- The payload guard (``shared/payload_guard.py``) lets a typed ``/intent{...}`` through only when this
  conversation was offered that button recently, so every outgoing button is recorded.
- A turn that produced no bot message at all (the action server is down: Rasa then drops the action's
  messages, stack-facts a.9) gets the ``rasa_unavailable`` text at once, so the resident never waits in
  silence for an answer that will not come.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from shared.payload_guard import OfferedPayloads

log = logging.getLogger(__name__)


def button_payloads(message: dict[str, Any]) -> list[str]:
    """Payloads of the buttons and quick replies in one outgoing bot message."""
    payloads: list[str] = []
    for key in ("buttons", "quick_replies"):
        for button in message.get(key) or []:
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                payloads.append(button["payload"])
    return payloads


class RecordingOutput(OutputChannel):
    """Wraps the socket output channel, remembers which button payloads each conversation got, counts sends."""

    def __init__(self, inner: OutputChannel, offered: OfferedPayloads) -> None:
        self.inner = inner
        self.offered = offered
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        """The wrapped channel's name."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Record the payloads, then send as the wrapped channel would."""
        self.offered.record(recipient_id, button_payloads(message))
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text needs no recording."""
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)


async def answer_or_apologise(
    message: UserMessage,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    offered: OfferedPayloads,
    apology: str,
) -> Any:
    """Hand the message to Rasa with its output recorded; send ``apology`` when the turn sent nothing."""
    if message.output_channel is None:
        return await on_new_message(message)
    output = RecordingOutput(message.output_channel, offered)
    message.output_channel = output
    result = await on_new_message(message)
    if output.sent == 0:
        log.warning("a webchat turn produced no bot message; sent the rasa_unavailable text")
        await output.inner.send_text_message(str(message.sender_id), apology)
    return result
