"""Builds the resident-facing messages from content. Holds no Dutch prose of its own: every sentence comes
from knowledge/ (topics or messages.yml)."""

from __future__ import annotations

import json
from typing import Any

from knowledge import Catalog, Topic
from knowledge.referrals import Referral

Button = dict[str, str]


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload such as ``/inform_place{"place":"kerkrade"}``."""
    return f"/{intent}" + (json.dumps(entities, separators=(",", ":")) if entities else "")


def topic_text(catalog: Catalog, topic: Topic) -> str:
    """The answer, the numbered steps and the official links, as blank-line separated parts."""
    parts = [topic.answer]
    if topic.steps:
        numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(topic.steps, start=1))
        parts.append(f"{catalog.message('steps_intro')}\n{numbered}")
    if topic.links:
        links = "\n".join(f"- {link.label}: {link.url}" for link in topic.links)
        parts.append(f"{catalog.message('links_intro')}\n{links}")
    return "\n\n".join(parts)


def _line(catalog: Catalog, label_key: str, value: str | None) -> list[str]:
    return [f"{catalog.message(label_key)}: {value}"] if value else []


def referral_text(catalog: Catalog, ref: Referral) -> str:
    """One referral as a short block: name, address, hours, open now, next times, phone, website."""
    lines = [f"{ref.name}" + (f" – {ref.description}" if ref.kind != "service" else "")]
    if ref.kind == "service":
        lines.append(ref.description)
        lines += _line(catalog, "label_address", ref.address or catalog.message("address_unknown"))
        if ref.opening_hours:
            lines += _line(catalog, "label_hours", ref.opening_hours)
            status = (
                catalog.message("open_now", until=ref.now_until)
                if ref.open_now
                else catalog.message("closed_now")
            )
            if ref.next_sessions and not ref.open_now:
                status += " " + catalog.message("next_sessions", sessions="; ".join(ref.next_sessions))
            lines.append(status)
        else:
            lines.append(catalog.message("no_upcoming"))
        lines += _line(catalog, "label_appointment", ref.appointment)
    else:
        lines += _line(catalog, "label_hours", ref.opening_hours)
    lines += _line(catalog, "label_phone", ref.phone)
    lines += _line(catalog, "label_website", ref.url)
    if ref.verify:
        lines.append(catalog.message("unverified"))
    return "\n".join(lines)


def referrals_text(catalog: Catalog, refs: list[Referral], gemeente: str | None) -> str:
    """The referral intro plus one block per referral; mentions when a service is in another municipality."""
    parts = [catalog.message("referral_intro")]
    for ref in refs:
        if ref.elsewhere and gemeente in catalog.gemeenten and ref.gemeente in catalog.gemeenten:
            service = catalog.services[ref.id].name if ref.id in catalog.services else ref.name
            parts.append(
                catalog.message(
                    "service_elsewhere",
                    gemeente=catalog.gemeenten[gemeente].name,
                    service=service,
                    other=catalog.gemeenten[ref.gemeente].name,
                )
            )
        parts.append(referral_text(catalog, ref))
    return "\n\n".join(parts)


def place_buttons(catalog: Catalog) -> list[Button]:
    """One button per municipality."""
    return [
        {"title": gem.name, "payload": payload("inform_place", place=gem.id)}
        for gem in catalog.gemeenten.values()
    ]


def suggestion_buttons(catalog: Catalog, ranking: list[dict[str, Any]], limit: int = 3) -> list[Button]:
    """Up to ``limit`` topics the classifier found most likely, for residents to pick from."""
    buttons: list[Button] = []
    for entry in ranking:
        topic = catalog.topic_for_intent(entry.get("name"))
        if topic is None or not topic.suggest:
            continue
        if all(b["payload"] != payload(topic.id) for b in buttons):
            buttons.append({"title": topic.button, "payload": payload(topic.id)})
        if len(buttons) == limit:
            break
    return buttons
