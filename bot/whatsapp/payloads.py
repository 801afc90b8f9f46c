"""Parses Meta's webhook JSON into the few facts the adapter needs, and nothing more.

Shape: ``entry[].changes[].value.messages[]`` with ``from`` (the ``wa_id``, a phone number), ``id``
(the ``wamid``), ``timestamp`` and ``type``; ``value.statuses[]`` are delivery receipts
(developers.facebook.com/docs/whatsapp/cloud-api/webhooks). Profile names are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

# Message types that need no answer at all: a reaction to our message, or a system notice.
IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral"})


class PayloadError(ValueError):
    """The body is valid JSON but not a WhatsApp Business webhook."""


class InboundKind(str, Enum):
    """What the adapter does with an inbound message."""

    TEXT = "text"
    PAYLOAD = "payload"
    UNSUPPORTED = "unsupported"
    IGNORED = "ignored"


@dataclass(frozen=True)
class InboundMessage:
    """One user message. ``wa_id`` is personal data: use it only to reply, never log or store it."""

    wamid: str
    wa_id: str
    phone_number_id: str
    timestamp: int
    kind: InboundKind
    content: str
    message_type: str
    # context.forwarded / context.frequently_forwarded of the Cloud API text message webhook.
    forwarded: bool = False


@dataclass(frozen=True)
class WebhookBatch:
    """Messages in a webhook call, plus how many status receipts it carried."""

    messages: list[InboundMessage]
    statuses: int


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _typed_text(message: dict[str, Any], part: str, key: str) -> str | None:
    """The text at ``message[part][key]`` when it is a string with something visible in it, else None."""
    text = _dict(message.get(part)).get(key)
    return text if isinstance(text, str) and text.strip() else None


def _content(message: dict[str, Any]) -> tuple[InboundKind, str]:
    message_type = message.get("type")
    if message_type in IGNORED_TYPES:
        return InboundKind.IGNORED, ""
    if message_type == "text":
        body = _typed_text(message, "text", "body")
        return (InboundKind.IGNORED, "") if body is None else (InboundKind.TEXT, body)
    if message_type == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get("button_reply") or interactive.get("list_reply"))
        reply_id = reply.get("id")
        if isinstance(reply_id, str) and reply_id:
            return InboundKind.PAYLOAD, reply_id
        return InboundKind.UNSUPPORTED, ""
    if message_type == "button":
        # A quick-reply button of a template message: its text is what the user chose.
        text = _typed_text(message, "button", "text")
        if text is not None:
            return InboundKind.TEXT, text
    return InboundKind.UNSUPPORTED, ""


def _forwarded(message: dict[str, Any]) -> bool:
    """True for a forwarded message: the Cloud API sets ``context.forwarded`` (and ``frequently_forwarded``
    when it was forwarded more than five times) on the message object."""
    context = _dict(message.get("context"))
    return context.get("forwarded") is True or context.get("frequently_forwarded") is True


def parse_webhook(data: Any) -> WebhookBatch:
    """Extract user messages and count status receipts.

    Args:
        data: The decoded JSON body of a webhook POST.

    Returns:
        Messages in delivery order; malformed message entries (no id, sender or timestamp) are
        skipped.

    Raises:
        PayloadError: When the body is not a ``whatsapp_business_account`` notification.
    """
    root = _dict(data)
    if root.get("object") != "whatsapp_business_account" or not isinstance(root.get("entry"), list):
        raise PayloadError("not a whatsapp_business_account webhook")
    messages: list[InboundMessage] = []
    statuses = 0
    for entry in _list(root.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            if change.get("field") != "messages":
                continue
            value = _dict(change.get("value"))
            statuses += len(_list(value.get("statuses")))
            phone_number_id = str(_dict(value.get("metadata")).get("phone_number_id", ""))
            for raw in _list(value.get("messages")):
                message = _dict(raw)
                wamid, wa_id, timestamp = (
                    message.get("id"),
                    message.get("from"),
                    message.get("timestamp"),
                )
                if not (isinstance(wamid, str) and isinstance(wa_id, str) and wamid and wa_id):
                    continue
                try:
                    sent_at = int(str(timestamp))
                except ValueError:
                    continue
                kind, content = _content(message)
                messages.append(
                    InboundMessage(
                        wamid=wamid,
                        wa_id=wa_id,
                        phone_number_id=phone_number_id,
                        timestamp=sent_at,
                        kind=kind,
                        content=content,
                        message_type=str(message.get("type", "unknown"))[:32],
                        forwarded=_forwarded(message),
                    )
                )
    return WebhookBatch(messages=messages, statuses=statuses)
