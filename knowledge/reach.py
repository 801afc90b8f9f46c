"""What a reach event may say: its kinds and channels, and the topics, targets and municipalities the content
defines. The action server (outbox writer) and the API (ingest) both check events here, so the two can never
disagree about what is valid, and a content deploy that adds a topic or a desk is accepted without a restart.

Pure Python; the content-derived lists come from a Catalog, which callers get from ``get_catalog()`` (reloaded
when a content file changes).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from knowledge.models import Catalog

KINDS: Final[tuple[str, ...]] = (
    "conversation_started",
    "answered",
    "referred",
    "handoff_requested",
    "feedback",
    "not_understood",
    # "Is dit bericht echt?": target is the verdict, resp. one signal id; never any of the message's text.
    "message_checked",
    "message_signal",
)
CHANNELS: Final[tuple[str, ...]] = ("web", "telegram", "whatsapp", "staff", "rest")

# Rasa's input channel names, as the channels and connectors report them, mapped to the API's channel values.
INPUT_CHANNELS: Final[Mapping[str, str]] = {
    "rest": "rest",
    "socketio": "web",
    "webchat": "web",
    "telegram": "telegram",
    "whatsapp": "whatsapp",
    "staff": "staff",
    "triage": "staff",
}

# An event's day may lie this many days before today (the outbox keeps undelivered events while the API is
# down) and one day after it (clocks around midnight). Older events are refused: a period is published only
# when no event can still arrive for it (api/release.py), so published figures never change afterwards.
LATE_EVENT_DAYS: Final[int] = 7
EARLY_EVENT_DAYS: Final[int] = 1

SNAKE_ID: Final[re.Pattern[str]] = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class ReachVocabulary:
    """The closed value lists for one version of the content, with the labels people see."""

    topics: Mapping[str, str]
    targets: Mapping[str, str]
    gemeenten: Mapping[str, str]
    verdicts: Mapping[str, str] = field(default_factory=dict)
    signals: Mapping[str, str] = field(default_factory=dict)

    def targets_for(self, kind: object) -> Mapping[str, str]:
        """What ``target`` may hold for an event of ``kind``: a desk or helpline, a verdict or a signal id."""
        if kind == "message_checked":
            return self.verdicts
        if kind == "message_signal":
            return self.signals
        return self.targets


@functools.lru_cache(maxsize=4)  # one per loaded catalogue; a reload brings a new Catalog object
def reach_vocabulary(catalog: Catalog) -> ReachVocabulary:
    """Topic ids, referral target ids (services and organisations) and municipalities, with Dutch labels."""
    targets = {service.id: service.name for service in catalog.services.values()}
    targets.update({org.id: org.name for org in catalog.organisations.values()})
    check = catalog.message_check
    return ReachVocabulary(
        topics={topic.id: topic.title for topic in catalog.topics.values()},
        targets=dict(sorted(targets.items())),
        gemeenten={gemeente.id: gemeente.name for gemeente in catalog.gemeenten.values()},
        verdicts={v: v.replace("_", " ") for v in check.verdicts} if check else {},
        signals={signal.id: signal.id.replace("_", " ") for signal in check.signals} if check else {},
    )


def channel_for(input_channel: str | None) -> str:
    """Map a Rasa input channel name to the API's channel value (unknown names count as rest)."""
    return INPUT_CHANNELS.get((input_channel or "").strip().lower(), "rest")


def day_problem(day: dt.date, today: dt.date) -> str | None:
    """Why an event's day cannot be accepted today, or None."""
    if day < today - dt.timedelta(days=LATE_EVENT_DAYS):
        return (
            f"day is more than {LATE_EVENT_DAYS} days before today (Europe/Amsterdam); late events are refused"
        )
    if day > today + dt.timedelta(days=EARLY_EVENT_DAYS):
        return "day lies in the future (Europe/Amsterdam)"
    return None


def event_problems(
    event: Mapping[str, object], vocabulary: ReachVocabulary, today: dt.date
) -> list[tuple[str, str]]:
    """Every invalid field of an event as ``(field, reason)``; the reason never repeats a free-text value.

    ``event`` holds ``day`` (a date), ``kind``, ``topic``, ``target``, ``gemeente``, ``channel`` and
    ``helpful``; absent optional fields count as null.
    """
    problems: list[tuple[str, str]] = []
    kind = event.get("kind")
    if kind not in KINDS:
        problems.append(("kind", f"unknown kind; one of: {', '.join(KINDS)}"))
    if event.get("channel") not in CHANNELS:
        problems.append(("channel", f"unknown channel; one of: {', '.join(CHANNELS)}"))
    lists = (
        ("topic", vocabulary.topics, "topic id"),
        ("target", vocabulary.targets_for(kind), "target id for this kind"),
        ("gemeente", vocabulary.gemeenten, "municipality id"),
    )
    for name, known, label in lists:
        value = event.get(name)
        if value is not None and value not in known:
            shown = f" '{value}'" if isinstance(value, str) and SNAKE_ID.match(value) else ""
            problems.append((name, f"unknown {label}{shown}; the content in knowledge/ defines the list"))
    helpful = event.get("helpful")
    if kind == "feedback" and not isinstance(helpful, bool):
        problems.append(("helpful", "'helpful' (true or false) is required when kind is 'feedback'"))
    if kind != "feedback" and helpful is not None:
        problems.append(("helpful", "'helpful' is only allowed when kind is 'feedback'"))
    if kind in ("message_checked", "message_signal") and event.get("target") is None:
        problems.append(("target", "a message check event needs its verdict or signal id in 'target'"))
    day = event.get("day")
    if not isinstance(day, dt.date):
        problems.append(("day", "day must be a date"))
    else:
        problem = day_problem(day, today)
        if problem:
            problems.append(("day", problem))
    return problems
