"""Reads what the turn knows about the resident's municipality: a button payload, the message text, or what
was said before."""

from __future__ import annotations

from actions.turn import Turn
from knowledge import Catalog
from knowledge.places import PlaceMatch, find_place


def place_in_message(catalog: Catalog, turn: Turn) -> PlaceMatch | None:
    """The place named in the latest message: a button's entity first, else the words themselves."""
    entity = turn.place_entity
    if isinstance(entity, str) and entity.strip():
        match = find_place(catalog, entity)
        if match is not None:
            return match
        return PlaceMatch(name=entity.strip(), gemeente=None)
    if turn.text.startswith("/"):
        return None
    return find_place(catalog, turn.text)


def known_gemeente(catalog: Catalog, turn: Turn, match: PlaceMatch | None) -> str | None:
    """The municipality of ``match`` (the place in this message, from ``place_in_message``), else the one
    remembered in the slot."""
    if match is not None and match.gemeente is not None:
        return match.gemeente
    remembered = turn.gemeente
    return remembered if remembered in catalog.gemeenten else None
