"""Typed, immutable content models. The loader builds them from YAML; nothing here reads files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.message_check_content import MessageCheckContent


@dataclass(frozen=True)
class Source:
    """Where a fact comes from, and when someone read that page."""

    url: str
    checked_on: date
    name: str = ""


@dataclass(frozen=True)
class Link:
    """An official web page a resident can open."""

    label: str
    url: str


@dataclass(frozen=True)
class Topic:
    """One topic id: the answer content and where to refer the resident."""

    id: str
    kind: str
    title: str
    button: str
    suggest: bool
    answer: str
    simple: str
    steps: tuple[str, ...]
    links: tuple[Link, ...]
    refer_to: tuple[str, ...]
    needs_place: bool
    sources: tuple[Source, ...]
    reviewed_on: date
    verify: bool
    verify_note: str | None
    also_for_intents: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    """A national helpline, partner or website."""

    id: str
    name: str
    kind: str
    description: str
    phone: str | None
    url: str | None
    hours: str | None
    source: Source
    verify: bool


@dataclass(frozen=True)
class Service:
    """A kind of local help (Informatiepunt, E-café ...), independent of where it is offered."""

    id: str
    name: str
    description: str
    appointment: str | None
    cost: str | None
    source: Source
    verify: bool


@dataclass(frozen=True)
class WeeklySlot:
    """A recurring weekly opening: weekday 0 = Monday, wall-clock times in the catalogue's time zone."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Closure:
    """A dated closure of a location, both ends inclusive."""

    start: date
    end: date
    reason: str


@dataclass(frozen=True)
class ServiceSchedule:
    """When one service is offered at one location."""

    service_id: str
    weekly: tuple[WeeklySlot, ...]
    source: Source
    verify: bool
    note: str | None = None


@dataclass(frozen=True)
class Location:
    """A place where residents can go: a library branch or a municipal desk."""

    id: str
    name: str
    gemeente: str
    address: str | None
    phone: str | None
    url: str | None
    source: Source
    verify: bool
    services: dict[str, ServiceSchedule]
    closures: tuple[Closure, ...]


@dataclass(frozen=True)
class Gemeente:
    """One of the four municipalities, with the names residents use for its villages."""

    id: str
    name: str
    kernen: tuple[str, ...]
    aliases: tuple[str, ...]
    nearby: tuple[str, ...]


@dataclass(frozen=True)
class OutsidePlace:
    """A place outside the library's area, with the nearest municipality we serve."""

    name: str
    aliases: tuple[str, ...]
    nearest: str


@dataclass(frozen=True, eq=False)
class Catalog:
    """All content, validated and cross-referenced. Read-only."""

    topics: dict[str, Topic]
    organisations: dict[str, Organisation]
    services: dict[str, Service]
    locations: tuple[Location, ...]
    gemeenten: dict[str, Gemeente]
    outside: tuple[OutsidePlace, ...]
    messages: dict[str, str]
    timezone: str
    closed_on_holidays: frozenset[str]
    intent_to_topic: dict[str, str] = field(default_factory=dict)
    # "Is dit bericht echt?": signals, official domains and verdict texts (knowledge/message_check.yml).
    message_check: MessageCheckContent | None = None

    def topic_for_intent(self, intent: str | None) -> Topic | None:
        """Return the topic an NLU intent stands for, or None for mechanics intents."""
        if intent is None:
            return None
        topic_id = self.intent_to_topic.get(intent, intent)
        return self.topics.get(topic_id)

    def message(self, key: str, **values: object) -> str:
        """Return a fixed dialogue text from messages.yml with its placeholders filled in."""
        return self.messages[key].format(**values)

    def locations_with(self, service_id: str, gemeente: str) -> list[Location]:
        """Locations in ``gemeente`` that offer ``service_id``."""
        return [loc for loc in self.locations if loc.gemeente == gemeente and service_id in loc.services]
