"""TriageInput: POST /webhooks/triage/webhook for the Informatiepunt's staff (the staff triage contract).

It classifies the question with the loaded model and answers from knowledge/; it does not touch any
conversation tracker, so staff lookups never mix with residents' conversations. Guarded by a staff key.

``TRIAGE_STAFF_KEY`` and ``APP_ENV`` are read once, when Rasa sets the channel up, and judged by the secret
policy of every process (shared/secret_policy.py); one line names the key's state. While the key is missing,
or outside development a placeholder or shorter than 16 characters, the endpoint answers 503 and Rasa keeps
serving residents: a staff tool's configuration must not take the resident chat down.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.connectors import follow_rasa_log_level, speedups
from bot.connectors.triage_contract import (
    MODE_MESSAGE_CHECK,
    TriageRequestError,
    build_message_check_response,
    build_response,
    nlu_text,
    parse_request,
)
from knowledge import get_catalog
from knowledge.pii import mask_pii
from shared.secret_policy import SecretCheck, check_secret, is_development, summary

log = logging.getLogger(__name__)


def staff_key_from_environment() -> tuple[SecretCheck, str | None]:
    """Read ``TRIAGE_STAFF_KEY`` once and judge it by the secret policy.

    Returns:
        The check, and the key only when the policy lets the endpoint use it.
    """
    value = os.environ.get("TRIAGE_STAFF_KEY")
    check = check_secret("TRIAGE_STAFF_KEY", value, is_development(os.environ.get("APP_ENV")))
    return check, value if check.usable else None


def model_fallback_threshold(agent: Any) -> float:
    """The FallbackClassifier threshold of the model the agent has loaded (config.yml, the one source).

    Read from the model itself, so triage calls a question "not understood" exactly when the residents' chat
    would, whichever model is loaded; a model without a FallbackClassifier never falls back on confidence.
    """
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    for node in agent.processor.model_metadata.predict_schema.nodes.values():
        if isinstance(node.uses, type) and issubclass(node.uses, FallbackClassifier):
            defaults = FallbackClassifier.get_default_config()
            return float(node.config.get("threshold", defaults["threshold"]))
    return 0.0


def _clock() -> Any:
    from knowledge.clock import now

    return now()


class TriageInput(InputChannel):
    """Staff triage endpoint, configured in credentials.yml as ``bot.connectors.triage.TriageInput``."""

    @classmethod
    def name(cls) -> str:
        """The URL segment: /webhooks/triage/."""
        return "triage"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Read the staff key; the fallback threshold is the loaded model's (``model_fallback_threshold``)."""
        speedups.install()
        check, key = staff_key_from_environment()
        if check.usable:
            log.info("triage: %s", summary([check]))
        else:
            log.warning("triage: %s; the triage endpoint answers 503", summary([check]))
        return cls(check, key)

    def __init__(self, key_check: SecretCheck | None = None, staff_key: str | None = None) -> None:
        self.key_check = key_check or check_secret("TRIAGE_STAFF_KEY", None, development=False)
        self._staff_key = staff_key if self.key_check.usable else None  # a refused key can never match

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook."""
        follow_rasa_log_level()
        triage = Blueprint("triage_webhook", __name__)

        @triage.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @triage.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            expected = self._staff_key
            if expected is None:
                return response.json({"error": f"triage is disabled: {self.key_check.describe()}"}, 503)
            given = request.headers.get("X-Staff-Key", "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return response.json({"error": "missing or invalid X-Staff-Key header"}, 401)
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "body is not valid JSON"}, 400)
            try:
                triage_request = parse_request(body)
            except TriageRequestError as exc:
                return response.json({"error": str(exc)}, 400)
            masked = mask_pii(triage_request.text).text
            if triage_request.mode == MODE_MESSAGE_CHECK:  # rule-based: needs no model, never logs the text
                checked = build_message_check_response(get_catalog(), triage_request, masked, _clock())
                signal_ids = ",".join(s["id"] for s in checked["signals"])
                log.info("triage message_check verdict=%s signals=%s", checked["verdict"], signal_ids or "-")
                return response.json(checked)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model loaded yet"}, 503)
            parse = await agent.parse_message(nlu_text(masked))
            catalog = get_catalog()
            threshold = model_fallback_threshold(agent)
            result = build_response(catalog, triage_request, parse, threshold, _clock())
            log.info("triage topic=%s gemeente=%s", result["topic"], result["gemeente"])
            return response.json(result)

        return triage
