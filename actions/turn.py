"""The plain values the dialogue core works on: one ``Turn`` in, one ``Reply`` out.

Why: the dialogue state is a handful of slots whose interplay decides what is counted. Reading them once into a
frozen value, and returning every message, count and slot change as a value, keeps the whole move in one
place that a test can drive as a table, without Rasa. Only actions/adapter.py knows rasa_sdk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actions.names import (
    SLOT_AWAITING_CHECK,
    SLOT_AWAITING_PLACE,
    SLOT_CHECK_RESULT,
    SLOT_COUNTED,
    SLOT_FEEDBACK,
    SLOT_GEMEENTE,
    SLOT_HANDOFF,
    SLOT_TOPIC,
)

Button = dict[str, str]


@dataclass(frozen=True)
class Turn:
    """What the latest message and the slots say, read once from the tracker."""

    text: str = ""
    intent: str | None = None
    confidence: float = 0.0
    ranking: tuple[dict[str, Any], ...] = ()
    part_rankings: tuple[list[Any], ...] = ()  # one ranking per later question (knowledge/two_questions.py)
    place_entity: str | None = None
    channel: str = "web"
    forwarded: bool = False
    topic: str | None = None
    awaiting_place: bool = False
    gemeente: str | None = None
    counted: bool = False
    feedback_topic: str | None = None
    handoff_topic: str | None = None
    awaiting_check: bool = False
    check_result: Any = None

    def slot(self, name: str) -> Any:
        """The value of the slot ``name`` at the start of the turn."""
        return getattr(self, _FIELDS[name])


_FIELDS = {
    SLOT_TOPIC: "topic",
    SLOT_AWAITING_PLACE: "awaiting_place",
    SLOT_GEMEENTE: "gemeente",
    SLOT_COUNTED: "counted",
    SLOT_FEEDBACK: "feedback_topic",
    SLOT_HANDOFF: "handoff_topic",
    SLOT_AWAITING_CHECK: "awaiting_check",
    SLOT_CHECK_RESULT: "check_result",
}
SLOT_NAMES = tuple(_FIELDS)


@dataclass(frozen=True)
class Message:
    """One bot message."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Count:
    """One anonymous reach event to write to the outbox (docs/api.md, "What is counted, and when")."""

    kind: str
    topic: str | None = None
    target: str | None = None
    gemeente: str | None = None
    helpful: bool | None = None


@dataclass
class Reply:
    """What the bot does for a turn: messages in order, reach events, and slot changes (last one wins)."""

    messages: list[Message] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[Button] | None = None) -> None:
        """Add a message."""
        self.messages.append(Message(text, tuple(buttons or ())))

    def count(self, turn: Turn, kind: str, **fields: Any) -> None:
        """Add a reach event; its municipality defaults to the one known at the start of the turn."""
        if fields.get("gemeente") is None:
            fields["gemeente"] = turn.gemeente
        self.counts.append(Count(kind, **fields))

    def set(self, **slots: Any) -> None:
        """Record slot changes by slot name (``set(**{SLOT_TOPIC: "digid"})``)."""
        self.slots.update(slots)

    def keep(self, turn: Turn, values: dict[str, Any]) -> None:
        """Set only the slots whose value changes; an unchanged slot needs no event."""
        self.slots.update({k: v for k, v in values.items() if turn.slot(k) != v})
