"""Channel-neutral message types and the fixed Dutch texts an adapter sends on its own.

The texts live in ``knowledge/messages.yml`` (owned by library staff) and are read by the content loader,
which refuses a file that lacks one of them: an adapter cannot start without its texts, so it never answers
with nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.loader import load_messages


@dataclass(frozen=True)
class Button:
    """A suggestion button as Rasa sends it: a label for the user and a payload for Rasa."""

    title: str
    payload: str


@dataclass(frozen=True)
class OutgoingMessage:
    """One bot message for the user: text and, optionally, buttons."""

    text: str = ""
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class IncomingMessage:
    """What a user sent, already reduced to what Rasa may see.

    ``sender`` is the pseudonym (never a raw platform id) and ``text`` is either typed text or a
    button payload; the Rasa client masks personal data in it before sending. ``bot_payload`` marks a
    payload the adapter built itself (``/start`` and its deep link): it is sent as is, while any other
    payload passes only when the conversation was offered it as a button. ``forwarded`` is True when the
    platform marks the message as forwarded (Telegram ``forward_origin``, WhatsApp ``context.forwarded``):
    Rasa then checks it as a suspicious message at once (docs/adapters.md).
    """

    sender: str
    text: str
    channel: str
    bot_payload: bool = False
    forwarded: bool = False


def merge_for_channel(messages: Iterable[OutgoingMessage]) -> list[OutgoingMessage]:
    """Join consecutive Rasa items into as few messages as possible.

    Rasa splits plain text on blank lines into separate items (``rasa/core/channels/channel.py``).
    Chat platforms limit messages per chat (Telegram about 1 per second, WhatsApp about 1 per 6 s
    per user), so text items are joined with a blank line and buttons stay on the item that carried
    them.

    Args:
        messages: The items in the order Rasa sent them.

    Returns:
        The merged messages; a message with buttons ends a group.
    """
    merged: list[OutgoingMessage] = []
    pending: list[str] = []
    for message in messages:
        if message.text.strip():
            pending.append(message.text.strip())
        if message.buttons:
            merged.append(OutgoingMessage(text="\n\n".join(pending), buttons=message.buttons))
            pending = []
    if pending:
        merged.append(OutgoingMessage(text="\n\n".join(pending)))
    return merged


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the safe way to count for Telegram and WhatsApp limits.

    Args:
        text: Any text.

    Returns:
        Number of UTF-16 code units.
    """
    return len(text.encode("utf-16-le")) // 2


def _longest_prefix(text: str, limit: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int) -> list[str]:
    """Split text into parts that each fit one message, preferring paragraph, line and word breaks.

    Args:
        text: The text to send.
        limit: Maximum length per part in UTF-16 code units.

    Returns:
        Non-empty parts in order; empty when the text is blank. Joining them with the whitespace
        that was cut restores the text.
    """
    parts: list[str] = []
    rest = text.strip()
    while rest:
        cut = _longest_prefix(rest, limit)
        if cut >= len(rest):
            parts.append(rest)
            break
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > 0:
                cut = position
                break
        part = rest[:cut].rstrip()
        if not part:
            part, cut = window, len(window)
        parts.append(part)
        rest = rest[cut:].lstrip()
    return parts


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten text to at most ``limit`` UTF-16 code units, marking the cut with an ellipsis.

    Args:
        text: A label or title.
        limit: Maximum length in UTF-16 code units (at least 2).

    Returns:
        The text itself when it fits, otherwise a prefix plus the ellipsis.
    """
    text = text.strip()
    if utf16_length(text) <= limit:
        return text
    return text[: _longest_prefix(text, limit - utf16_length(ellipsis))].rstrip() + ellipsis


@dataclass(frozen=True)
class FixedTexts:
    """The texts an adapter sends on its own, read once at start-up from ``knowledge/messages.yml``."""

    texts: Mapping[str, str]

    def get(self, key: str) -> str:
        """Return the text for ``key`` (the content loader requires every key the channels use)."""
        return self.texts[key]


def load_fixed_texts(path: Path | None = None) -> FixedTexts:
    """Read the fixed texts with the content loader, so they follow the same rules as the dialogue's.

    Args:
        path: Explicit file (tests); default is the ``knowledge`` package's ``messages.yml``.

    Raises:
        ContentError: When a text the channels or the dialogue need is missing or not text; the process
            does not start with a broken file (there is no Dutch fallback text in code).
    """
    return FixedTexts(load_messages(path))
