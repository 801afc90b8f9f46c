"""Reads what the conversation knows about the resident's municipality: a button payload, the message text,
or what was said before."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.names import ENTITY_PLACE, SLOT_GEMEENTE
from knowledge import Catalog
from knowledge.places import PlaceMatch, find_place


def place_in_message(catalog: Catalog, tracker: Tracker) -> PlaceMatch | None:
    """The place named in the latest message: a button's entity first, else the words themselves."""
    entity = next(tracker.get_latest_entity_values(ENTITY_PLACE), None)
    if isinstance(entity, str) and entity.strip():
        match = find_place(catalog, entity)
        if match is not None:
            return match
        return PlaceMatch(name=entity.strip(), gemeente=None)
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None
    return find_place(catalog, text)


def known_gemeente(catalog: Catalog, tracker: Tracker, match: PlaceMatch | None) -> str | None:
    """The municipality of ``match`` (the place in this message, from ``place_in_message``), else the one
    remembered in the slot."""
    if match is not None and match.gemeente is not None:
        return match.gemeente
    remembered = tracker.get_slot(SLOT_GEMEENTE)
    return remembered if remembered in catalog.gemeenten else None


def latest_intent(tracker: Tracker) -> str | None:
    """The intent NLU chose for the latest message, nlu_fallback included.

    rasa-sdk's ``get_intent_of_latest_message`` skips nlu_fallback by default, which would turn an uncertain
    guess into a confident answer; the bot must say it did not understand instead.
    """
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return name if isinstance(name, str) else None
