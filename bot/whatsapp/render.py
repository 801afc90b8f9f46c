"""Turns channel-neutral bot messages into WhatsApp Cloud API message objects.

Pure functions, tested with hypothesis against Meta's limits: text 4096 characters; reply buttons at
most 3 with titles of 20 and ids of 256 characters, body 1024; otherwise a list of at most 10 rows
with titles of 24 and ids of 200 characters and a button label of 20
(developers.facebook.com/docs/whatsapp/guides/interactive-messages). Lengths are counted in UTF-16
code units, which is never less than the character count Meta uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.telegram.callback_ids import CallbackIds
from shared.messages import (
    Button,
    OutgoingMessage,
    merge_for_channel,
    split_text,
    truncate,
    utf16_length,
)

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_ID = 200
MAX_LIST_BUTTON = 20


def _unique(buttons: Iterable[Button]) -> list[Button]:
    seen_payloads: set[str] = set()
    unique: list[Button] = []
    for button in buttons:
        if button.payload not in seen_payloads and button.title.strip():
            seen_payloads.add(button.payload)
            unique.append(button)
    return unique


def text_message(body: str) -> dict[str, Any]:
    """Build a plain text message object.

    Args:
        body: At most 4096 characters.

    Returns:
        The ``type``/``text`` part of a send request; link previews are off.
    """
    return {"type": "text", "text": {"preview_url": False, "body": body}}


def _interactive(kind: str, body: str, action: dict[str, Any]) -> dict[str, Any]:
    """The envelope every interactive message shares: its kind (``button`` or ``list``), body and action."""
    return {"type": "interactive", "interactive": {"type": kind, "body": {"text": body}, "action": action}}


def _reply_buttons(body: str, buttons: list[Button], ids: CallbackIds) -> dict[str, Any]:
    replies = [
        {
            "type": "reply",
            "reply": {"id": ids.id_for(button.payload), "title": truncate(button.title, MAX_BUTTON_TITLE)},
        }
        for button in buttons
    ]
    return _interactive("button", body, {"buttons": replies})


def _list(body: str, buttons: list[Button], ids: CallbackIds, label: str) -> dict[str, Any]:
    rows = [
        {"id": ids.id_for(button.payload), "title": truncate(button.title, MAX_ROW_TITLE)}
        for button in buttons[:MAX_LIST_ROWS]
    ]
    return _interactive(
        "list", body, {"button": truncate(label, MAX_LIST_BUTTON), "sections": [{"rows": rows}]}
    )


def render(
    messages: Iterable[OutgoingMessage],
    ids: CallbackIds,
    choose_option: str,
    list_button: str,
) -> list[dict[str, Any]]:
    """Render bot messages as WhatsApp message objects (without ``to`` and ``messaging_product``).

    Consecutive texts are merged (WhatsApp allows about one message per 6 s per user). Up to three
    buttons whose titles fit 20 characters become reply buttons; more, or longer titles, become a
    list; buttons beyond ten are dropped.

    Args:
        messages: Rasa's reply, in order.
        ids: Maps payloads to short ids (at most 64 bytes, so within both id limits).
        choose_option: Body used when buttons came without text.
        list_button: Label of the button that opens a list.

    Returns:
        Message objects to send in order.
    """
    rendered: list[dict[str, Any]] = []
    for message in merge_for_channel(messages):
        buttons = _unique(message.buttons)
        if not buttons:
            rendered.extend(text_message(part) for part in split_text(message.text, MAX_TEXT))
            continue
        parts = split_text(message.text, MAX_BODY) or [choose_option]
        # Long text goes first as plain messages; the last part carries the buttons.
        leading = "\n\n".join(parts[:-1])
        rendered.extend(text_message(part) for part in split_text(leading, MAX_TEXT))
        body = truncate(parts[-1], MAX_BODY)
        fits = len(buttons) <= MAX_REPLY_BUTTONS and all(
            utf16_length(button.title.strip()) <= MAX_BUTTON_TITLE for button in buttons
        )
        if fits:
            rendered.append(_reply_buttons(body, buttons, ids))
        else:
            rendered.append(_list(body, buttons, ids, list_button))
    return rendered
