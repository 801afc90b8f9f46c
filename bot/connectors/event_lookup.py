"""Speeds up Rasa 3.6's lookup of an event class by its type name, with the same answers.

``Event.resolve_by_type`` walks the whole class tree of ``Event`` (``all_subclasses``, recursive, with an
``inspect.isabstract`` check per class) for every event it reads: each turn reads the tracker back from the
tracker store and the action server's reply, dozens of events. The profile of a turn (BENCHMARKS.md, "Where a
turn's CPU goes") put that walk at about 7 % of Rasa's CPU. ``install()`` keeps a table from type name to
class, filled from the same walk and in the same order (the first class with a name wins, as in Rasa's loop),
and walks again only when a name is not in it, so an event class imported later is still found; names that
Rasa treats specially ("topic", a default, an error for unknown names) still go to Rasa's own code.
"""

from __future__ import annotations

from typing import Any

_FLAG = "_wegwijzer_event_table"


def install() -> None:
    """Replace ``Event.resolve_by_type`` with a table lookup (idempotent)."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    if getattr(Event, _FLAG, False):
        return
    original = Event.resolve_by_type
    table: dict[str, Any] = {}

    def refill() -> None:
        table.clear()
        for cls in all_subclasses(Event):
            table.setdefault(cls.type_name, cls)

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = table.get(type_name)
        if found is None:
            refill()
            found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign, assignment]
    setattr(Event, _FLAG, True)
