"""The triage channel and the one secret policy (shared/secret_policy.py), inside the Rasa environment.

The channel reads ``TRIAGE_STAFF_KEY`` and ``APP_ENV`` once, at set-up, logs one secrets line, and outside
development answers 503 while the key is missing, a placeholder or short: Rasa keeps serving residents, only
the staff endpoint refuses to work. The handler is called directly (no model: message-check mode).
"""

from __future__ import annotations

import json
import logging
import secrets
from types import SimpleNamespace
from typing import Any

import pytest

from bot.connectors.triage import TriageInput

MAKEFILE_KEY = "dev-staff-key-change-me"  # the Makefile's development default
TEXT = "Uw pakket wacht, betaal 1 euro via https://post-nl.info/betaal"
BODY = json.dumps({"text": TEXT, "mode": "message_check"})


def channel(monkeypatch: pytest.MonkeyPatch, key: str | None, app_env: str | None) -> TriageInput:
    for name, value in (("TRIAGE_STAFF_KEY", key), ("APP_ENV", app_env)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    built = TriageInput.from_credentials({})
    assert isinstance(built, TriageInput)
    return built


async def post(triage: TriageInput, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async def on_new_message(_message: Any) -> None:
        raise AssertionError("triage never reaches a tracker")

    blueprint = triage.blueprint(on_new_message)
    (webhook,) = [route.handler for route in blueprint._future_routes if route.uri == "/webhook"]
    app = SimpleNamespace(ctx=SimpleNamespace(agent=None))  # message-check mode needs no model
    request = SimpleNamespace(headers=headers, body=BODY.encode(), app=app)
    reply = await webhook(request)
    return reply.status, json.loads(reply.body)


@pytest.mark.parametrize(
    ("key", "reason"),
    [(MAKEFILE_KEY, "placeholder"), ("placeholder-staff-key", "placeholder"), ("Zq9k-7Wp", "shorter than 16")],
)
@pytest.mark.parametrize("app_env", [None, "production"])
async def test_placeholder_or_short_key_disables_triage_outside_development(monkeypatch, key, reason, app_env):
    # Before, any non-empty key worked: the Makefile's dev key opened the endpoint in production.
    status, body = await post(channel(monkeypatch, key, app_env), {"X-Staff-Key": key})
    assert status == 503
    assert f"TRIAGE_STAFF_KEY refused ({reason}" in body["error"]
    assert key not in json.dumps(body)


async def test_unset_key_still_answers_503(monkeypatch):
    status, body = await post(channel(monkeypatch, None, "production"), {"X-Staff-Key": ""})
    assert (status, body["error"]) == (503, "triage is disabled: TRIAGE_STAFF_KEY missing")


async def test_a_random_key_works_in_production_and_is_logged_by_name_once(monkeypatch, caplog):
    key = secrets.token_urlsafe(32)
    with caplog.at_level(logging.INFO, logger="bot.connectors.triage"):
        triage = channel(monkeypatch, key, "production")
        assert (await post(triage, {"X-Staff-Key": key}))[0] == 200
        assert (await post(triage, {"X-Staff-Key": key[:-1]}))[0] == 401
        assert (await post(triage, {}))[0] == 401
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("triage: secrets:")]
    assert lines == ["triage: secrets: TRIAGE_STAFF_KEY ok"]
    assert not any(key[:6] in r.getMessage() for r in caplog.records)


async def test_development_works_with_the_makefile_key_and_says_it_is_tolerated(monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger="bot.connectors.triage"):
        triage = channel(monkeypatch, MAKEFILE_KEY, "development")
    assert "triage: secrets: TRIAGE_STAFF_KEY tolerated (placeholder, development)" in caplog.messages
    assert (await post(triage, {"X-Staff-Key": MAKEFILE_KEY}))[0] == 200
    assert (await post(triage, {"X-Staff-Key": "wrong"}))[0] == 401


async def test_a_refused_key_is_logged_as_a_warning_at_set_up(monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger="bot.connectors.triage"):
        channel(monkeypatch, MAKEFILE_KEY, "production")
    [record] = [r for r in caplog.records if r.getMessage().startswith("triage: secrets:")]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "triage: secrets: TRIAGE_STAFF_KEY refused (placeholder); the triage endpoint answers 503"
    )
