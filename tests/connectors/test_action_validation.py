from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.connectors import action_validation


def _action() -> RemoteAction:
    return RemoteAction("action_answer_topic", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_prebuilt_validator_accepts_what_rasa_accepts_and_rejects_the_rest():
    action_validation.install()
    action_validation.install()  # idempotent
    action = _action()
    good = {"events": [{"event": "slot", "name": "topic", "value": "email"}], "responses": [{"text": "hoi"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})
