"""Typed, immutable content models. The loader builds them from YAML; nothing here reads files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.message_check_content import MessageCheckContent
    from knowledge.two_questions import TwoQuestionRules


@dataclass(frozen=True)
class Source:
    """Where a fact comes from, and when someone read that page."""

    url: str
    checked_on: date
    name: str = ""


# The verification states of a local fact (docs/CONTENT.md, "Local facts"). Only a confirmed fact is shown to
# residents as a fact; an assumed one is shown with a warning beside it, or not at all (see actions/render.py).
CONFIRMED = "confirmed"
ASSUMED = "assumed"
FACT_STATES = (CONFIRMED, ASSUMED)


@dataclass(frozen=True)
class Check:
    """The verification state of one local fact: where it comes from, when it was checked, and by which role.

    ``source.checked_on`` is the day someone last checked the fact against that source. ``confirmed_by`` is a
    role ("medewerker Informatiepunt"), never a person's name, and is set only for a confirmed fact; ``note``
    says what is assumed and what staff must check.
    """

    state: str
    source: Source
    confirmed_by: str | None = None
    note: str | None = None

    @property
    def confirmed(self) -> bool:
        """True when a role confirmed the fact; anything else is an assumption."""
        return self.state == CONFIRMED


@dataclass(frozen=True)
class Fact:
    """One local fact (an address, a phone number, a rule such as "no appointment needed") and its state."""

    value: str
    check: Check

    @property
    def confirmed(self) -> bool:
        """True when the fact may be shown to residents as a fact."""
        return self.check.confirmed


def fact_value(fact: Fact | None) -> str | None:
    """The fact's text, or None when the fact is unknown."""
    return fact.value if fact is not None else None


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
    phone: Fact | None
    url: str | None
    hours: Fact | None
    source: Source

    def facts(self) -> dict[str, Fact]:
        """The organisation's checkable facts by field name (only those that are known)."""
        return {k: v for k, v in (("phone", self.phone), ("hours", self.hours)) if v is not None}


@dataclass(frozen=True)
class Service:
    """A kind of local help (Informatiepunt, E-café ...), independent of where it is offered.

    ``indefinite`` and ``negative`` are the name as it reads inside a sentence ("een Taalhuis", "geen Taalhuis";
    "cursussen van de bibliotheek"), so sentences about a missing service are grammatical for every service.
    ``absent_in`` holds, per municipality, the check of the fact that the service is not offered there.
    """

    id: str
    name: str
    indefinite: str
    negative: str
    description: str
    appointment: Fact | None
    cost: Fact | None
    source: Source
    absent_in: dict[str, Check] = field(default_factory=dict)

    def facts(self) -> dict[str, Fact]:
        """The service's checkable facts by field name (only those that are known)."""
        return {k: v for k, v in (("appointment", self.appointment), ("cost", self.cost)) if v is not None}

    def known_absent(self, gemeente: str) -> bool:
        """True only when it is confirmed that ``gemeente`` has no such service; missing data is not absence."""
        check = self.absent_in.get(gemeente)
        return check is not None and check.confirmed


@dataclass(frozen=True)
class WeeklySlot:
    """A recurring weekly opening: weekday 0 = Monday, wall-clock times in the catalogue's time zone."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class DatedSlot:
    """One extra session on one day (an E-café or a course once), wall-clock times."""

    day: date
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
    check: Check | None = None  # None only when there are no times (nothing to check)
    note: str | None = None  # why there are no times, when ``weekly`` is empty
    sessions: tuple[DatedSlot, ...] = ()  # single extra sessions
    cancelled: frozenset[date] = frozenset()  # days on which this service's sessions do not take place

    @property
    def confirmed(self) -> bool:
        """True when the times may be shown as a fact ("Nu open", "Volgende keren")."""
        return bool(self.weekly or self.sessions) and self.check is not None and self.check.confirmed


@dataclass(frozen=True)
class Location:
    """A place where residents can go: a library branch or a municipal desk."""

    id: str
    name: str
    gemeente: str
    address: Fact | None
    phone: Fact | None
    url: str | None
    source: Source
    services: dict[str, ServiceSchedule]
    closures: tuple[Closure, ...]

    def facts(self) -> dict[str, Fact]:
        """The location's checkable facts by field name (only those that are known)."""
        return {k: v for k, v in (("address", self.address), ("phone", self.phone)) if v is not None}


@dataclass(frozen=True)
class Gemeente:
    """One of the four municipalities, with the names residents use for its villages."""

    id: str
    name: str
    kernen: tuple[str, ...]
    aliases: tuple[str, ...]
    nearby: tuple[str, ...]
    # wijken, buurten and buurtschappen: matched exactly, never fuzzily (places.yml)
    buurten: tuple[str, ...] = ()
    # keys of places.yml ``sources:``, the pages that list these names
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutsidePlace:
    """A place outside the library's area, with the nearest municipality we serve."""

    name: str
    aliases: tuple[str, ...]
    nearest: str
    # the municipality the place belongs to, as residents say it ("Heerlen" for Hoensbroek)
    gemeente: str = ""
    # villages and wijken of that municipality, named as themselves in the answer
    places: tuple[str, ...] = ()
    # where to look instead: the library there, when a source names it; else the municipality's website
    library: str | None = None
    library_url: str | None = None
    # a place across the border (Germany): no Dutch library or municipality to point to
    abroad: bool = False
    source: str | None = None


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
    # Two questions in one message: the markers and the threshold (knowledge/two_questions.yml).
    two_questions: TwoQuestionRules | None = None
    # Place names that are also everyday words ("gracht", "vink"): a place only with a place cue (places.yml).
    ordinary_place_words: frozenset[str] = frozenset()
    # The pages places.yml names its places from: key -> (url, what the page lists).
    place_sources: dict[str, tuple[str, str]] = field(default_factory=dict)

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
