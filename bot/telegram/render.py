"""Turns channel-neutral bot messages into Telegram messages: split text, inline keyboard.

Pure functions with no network and no PTB objects, so the limits can be tested with hypothesis:
at most 4096 characters per message (``MessageLimit.MAX_TEXT_LENGTH``, counted here in UTF-16 code
units to be safe with emoji) and at most 64 bytes of callback data per button.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.telegram.callback_ids import CallbackIds
from shared.messages import OutgoingMessage, merge_for_channel, split_text

MAX_TEXT_LENGTH = 4096


@dataclass(frozen=True)
class TelegramMessage:
    """One ``sendMessage`` call: plain text and inline keyboard rows of (label, callback data)."""

    text: str
    keyboard: tuple[tuple[str, str], ...] = ()


def render(messages: Iterable[OutgoingMessage], ids: CallbackIds, choose_option: str) -> list[TelegramMessage]:
    """Render bot messages for Telegram.

    Args:
        messages: Rasa's reply, in order.
        ids: Maps payloads to callback data of at most 64 bytes.
        choose_option: Text sent with buttons that came without text (Telegram needs text).

    Returns:
        Messages to send in order; the keyboard goes on the last part of a split text, one button
        per row so labels stay readable on small screens.
    """
    rendered: list[TelegramMessage] = []
    for message in merge_for_channel(messages):
        parts = split_text(message.text, MAX_TEXT_LENGTH)
        if not parts and message.buttons:
            parts = [choose_option]
        keyboard = tuple((button.title, ids.id_for(button.payload)) for button in message.buttons)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            rendered.append(TelegramMessage(text=part, keyboard=keyboard if last else ()))
    return rendered
