"""The Rasa speed-ups give Rasa's own answers, and every channel of ours installs them."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot.connectors import event_lookup, speedups
from bot.connectors.triage import TriageInput
from bot.connectors.webchat import WebchatInput


def _rasa_resolve(type_name: str, default: object = None) -> object:
    """Rasa 3.6's own loop, as the oracle."""
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def test_every_event_type_resolves_to_the_class_rasa_finds() -> None:
    event_lookup.install()
    event_lookup.install()  # idempotent
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "action", "slot", "session_started"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is _rasa_resolve(name)
    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("slot") is SlotSet


def test_special_names_keep_rasas_behaviour() -> None:
    event_lookup.install()
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found() -> None:
    event_lookup.install()
    Event.resolve_by_type("user")  # the table is filled

    class LateEvent(SlotSet):
        type_name = "wegwijzer_late_event_for_test"

    assert Event.resolve_by_type("wegwijzer_late_event_for_test") is LateEvent


def test_events_read_from_json_are_rasas_events() -> None:
    event_lookup.install()
    events = [
        {"event": "user", "text": "hoi", "parse_data": {"intent": {"name": "begroeting", "confidence": 1.0}}},
        {"event": "slot", "name": "topic", "value": "email"},
        {"event": "action", "name": "action_listen"},
    ]
    parsed = [Event.from_parameters(e) for e in events]
    assert [type(e) for e in parsed] == [UserUttered, SlotSet, ActionExecuted]


@pytest.mark.parametrize("channel", [WebchatInput, TriageInput])
def test_every_channel_of_ours_installs_the_speedups(channel: type, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(speedups, "install", lambda: calls.append(True))
    channel.from_credentials({})
    assert calls == [True]
