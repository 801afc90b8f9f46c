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


def _fact_line(catalog: Catalog, ref: Referral, label_key: str, name: str, value: str | None) -> list[str]:
    """A shown fact; "(nog niet gecontroleerd)" beside it when nobody confirmed it."""
    lines = _line(catalog, label_key, value)
    if lines and name in ref.unconfirmed:
        lines[0] += " " + catalog.message("unchecked_mark")
    return lines


def _find_out(catalog: Catalog, ref: Referral) -> str:
    """How to find out what Wegwijzer does not know for sure: a confirmed phone number, else the website."""
    if ref.phone and ref.confirmed("phone"):
        return catalog.message("find_out_call", phone=ref.phone)
    if ref.url:
        return catalog.message("find_out_website")
    return catalog.message("find_out_ask")


def _service_lines(catalog: Catalog, ref: Referral) -> list[str]:
    """A local service: only confirmed times say "Nu open" and give dates; a rule such as "no appointment
    needed" and the cost are shown only when confirmed."""
    lines = [ref.description]
    if ref.address:
        lines += _fact_line(catalog, ref, "label_address", "address", ref.address)
    else:
        lines.append(catalog.message("address_unknown"))
    called = False
    if ref.opening_hours and ref.confirmed("opening_hours"):
        lines += _line(catalog, "label_hours", ref.opening_hours)
        status = (
            catalog.message("open_now", until=ref.now_until) if ref.open_now else catalog.message("closed_now")
        )
        if ref.next_sessions and not ref.open_now:
            status += " " + catalog.message("next_sessions", sessions="; ".join(ref.next_sessions))
        lines.append(status)
    else:
        known = "hours_unchecked" if ref.opening_hours else "no_upcoming"
        lines.append(f"{catalog.message(known)} {_find_out(catalog, ref)}")
        called = bool(ref.phone) and ref.confirmed("phone")
    if ref.confirmed("appointment"):
        lines += _line(catalog, "label_appointment", ref.appointment)
    if ref.confirmed("cost"):
        lines += _line(catalog, "label_cost", ref.cost)
    if not called:
        lines += _fact_line(catalog, ref, "label_phone", "phone", ref.phone)
    return lines


def referral_text(catalog: Catalog, ref: Referral) -> str:
    """One referral as a short block: name, address, hours (and open now, next times), phone, website.

    An unconfirmed address, phone number or helpline hours get the warning beside them; nothing else does.
    """
    if ref.kind == "service":
        lines = [ref.name, *_service_lines(catalog, ref)]
    else:
        lines = [f"{ref.name} – {ref.description}"]
        lines += _fact_line(catalog, ref, "label_hours", "opening_hours", ref.opening_hours)
        lines += _fact_line(catalog, ref, "label_phone", "phone", ref.phone)
    lines += _line(catalog, "label_website", ref.url)
    return "\n".join(lines)


def missing_service_text(catalog: Catalog, service_id: str, gemeente: str, other: str | None) -> str:
    """What the bot says when a service is not found in the resident's municipality.

    "Voerendaal heeft geen Taalhuis." only when the content confirms there is none; otherwise the bot says it
    does not know and where to ask. ``other`` is the municipality whose location is shown instead, if any.
    """
    service = catalog.services[service_id]
    name = catalog.gemeenten[gemeente].name
    if service.known_absent(gemeente):
        parts = [catalog.message("service_absent", gemeente=name, negative=service.negative)]
    else:
        parts = [catalog.message("service_unknown", gemeente=name, indefinite=service.indefinite)]
    if other is not None:
        parts.append(catalog.message("service_nearest", other=catalog.gemeenten[other].name))
    return " ".join(parts)


def referrals_text(catalog: Catalog, refs: list[Referral], gemeente: str | None) -> str:
    """The referral intro plus one block per referral; says so when a service is not in the municipality."""
    parts = [catalog.message("referral_intro")]
    said: set[str] = set()
    for ref in refs:
        if (
            ref.elsewhere
            and ref.id in catalog.services
            and ref.id not in said
            and gemeente in catalog.gemeenten
            and ref.gemeente in catalog.gemeenten
        ):
            assert gemeente is not None
            parts.append(missing_service_text(catalog, ref.id, gemeente, ref.gemeente))
            said.add(ref.id)
        parts.append(referral_text(catalog, ref))
    return "\n\n".join(parts)


def _contact_block(catalog: Catalog, ref: Referral) -> str | None:
    """Name plus the confirmed address, phone number (and a helpline's confirmed hours); None without any."""
    if not (ref.confirmed("address") or ref.confirmed("phone")):
        return None
    fields = [("label_address", "address", ref.address), ("label_phone", "phone", ref.phone)]
    if ref.kind != "service":
        fields.append(("label_hours", "opening_hours", ref.opening_hours))
    facts = [
        f"{catalog.message(label)}: {value}" for label, name, value in fields if value and ref.confirmed(name)
    ]
    return "\n".join([ref.place or ref.name, *facts])


def contacts_text(catalog: Catalog, helplines: list[Referral], desks: list[Referral]) -> str:
    """The way to a person before the municipality is known: confirmed phone numbers and desks only.

    One block per helpline and per desk with a confirmed address or phone number. Without a confirmed desk, the
    general way to ask (messages.yml ``handoff_general``) follows. Assumed facts are left out here: the
    municipality narrows the answer next, and the referral then shows them with their warning.
    """
    blocks: list[str] = []
    desk_known = False
    for is_desk, ref in [*((False, r) for r in helplines), *((True, r) for r in desks)]:
        block = _contact_block(catalog, ref)
        if block is not None and block not in blocks:
            blocks.append(block)
            desk_known = desk_known or is_desk
    parts = [catalog.message("handoff_contacts_intro"), *blocks] if blocks else []
    if not desk_known:
        parts.append(catalog.message("handoff_general"))
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
