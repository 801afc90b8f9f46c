"""Speeds up Rasa 3.6's check of action-server responses, without weakening it.

Rasa's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate()`` for every action call, and that
function first re-checks the (constant) response schema against its meta-schema. Profiling the running bot with
py-spy showed this meta-schema check taking about half of Rasa's time per message (BENCHMARKS.md). ``install()``
replaces the method with one that validates each response against the same schema with a validator built once.
Installed with the other speed-ups by ``bot/connectors/speedups.py``.
"""

from __future__ import annotations

from typing import Any

_FLAG = "_wegwijzer_prebuilt_validator"


def install() -> None:
    """Replace RemoteAction's response validation with a prebuilt validator (idempotent)."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, _FLAG, False):
        return
    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)
    docs = "https://rasa.com/docs/rasa/custom-actions"

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit {docs}"
            )
            raise
        return True

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    setattr(RemoteAction, _FLAG, True)
