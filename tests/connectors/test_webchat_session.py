"""Signed web-chat session ids, the session key and the socket bindings (bot/connectors/webchat_session.py).

The behaviour on the wire, against the real Rasa process, is in tests/ops/test_webchat_sessions.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

import pytest

from bot.connectors.webchat_session import (
    MAX_AGE_SECONDS,
    MAX_TOKEN_CHARS,
    MIN_SESSION_KEY_LENGTH,
    TOKEN,
    Session,
    SessionBindings,
    SessionKeyError,
    SessionSigner,
    session_key,
)

KEY = b"k" * 32
NOW = 1_764_662_400.0


def signer(now: float = NOW, key: bytes = KEY) -> SessionSigner:
    return SessionSigner(key, clock=lambda: now)


def test_an_issued_token_is_random_signed_and_verifies() -> None:
    first, second = signer().issue(), signer().issue()

    assert TOKEN.fullmatch(first.token)
    assert first.token.startswith(first.sender_id + ".")
    assert len(first.sender_id) == 32  # 128 bits in hex
    assert first.sender_id != second.sender_id
    assert signer().verify(first.token) == first


def test_the_signature_is_hmac_sha256_over_sender_and_issue_time() -> None:
    session = signer().issue()
    sender, issued, signature = session.token.split(".")
    expected = hmac.new(
        KEY, f"wegwijzer-webchat-session:v1:{sender}:{issued}".encode(), hashlib.sha256
    ).digest()

    assert issued == str(int(NOW))
    assert signature == base64.urlsafe_b64encode(expected).rstrip(b"=").decode()


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: _flip(t, len(t) - 1), id="signature changed"),
        pytest.param(lambda t: ("0" if t[0] != "0" else "1") + t[1:], id="sender changed"),
        pytest.param(lambda t: t.split(".")[0], id="bare sender id"),
        pytest.param(lambda t: t.rsplit(".", 1)[0], id="signature missing"),
        pytest.param(lambda t: t + ".x", id="extra part"),
        pytest.param(lambda t: t.upper(), id="upper case"),
        pytest.param(lambda t: " " + t, id="leading space"),
        pytest.param(lambda t: t + "\n", id="trailing newline"),
        pytest.param(lambda t: t + "A" * MAX_TOKEN_CHARS, id="overlong"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_a_changed_token_does_not_verify(change) -> None:
    token = signer().issue().token

    assert signer().verify(change(token)) is None


@pytest.mark.parametrize("value", [None, 42, 4.2, ["a"], {"session_id": "x"}, b"bytes", True])
def test_a_value_that_is_not_a_string_does_not_verify(value: object) -> None:
    assert signer().verify(value) is None


def test_a_token_signed_with_another_key_does_not_verify() -> None:
    token = signer(key=b"o" * 32).issue().token

    assert signer().verify(token) is None


def test_a_token_verifies_until_its_maximum_age_and_not_after() -> None:
    token = signer().issue().token

    assert signer(NOW + MAX_AGE_SECONDS).verify(token) is not None
    assert signer(NOW + MAX_AGE_SECONDS + 1).verify(token) is None


def test_a_token_issued_in_the_future_does_not_verify_beyond_a_minute_of_clock_skew() -> None:
    token = signer(NOW + 60).issue().token
    later = signer(NOW + 61).issue().token

    assert signer().verify(token) is not None
    assert signer().verify(later) is None


# --- the key -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["production", "staging", ""])
@pytest.mark.parametrize("value", [None, "", "   ", "changeme", "change-me", "CHANGETHIS", "secret", "x" * 31])
def test_outside_development_a_missing_placeholder_or_short_key_stops_rasa(env: str, value: str | None) -> None:
    environ = {"APP_ENV": env} if env else {}
    if value is not None:
        environ["WEBCHAT_SESSION_KEY"] = value

    with pytest.raises(SessionKeyError, match="WEBCHAT_SESSION_KEY"):
        session_key(environ)


def test_outside_development_a_long_key_is_used() -> None:
    value = secrets.token_hex(MIN_SESSION_KEY_LENGTH // 2)

    assert session_key({"APP_ENV": "production", "WEBCHAT_SESSION_KEY": value}) == (value.encode(), False)


@pytest.mark.parametrize("value", [None, "", "changeme", "short"])
def test_in_development_without_a_usable_key_each_process_makes_a_random_one(value: str | None) -> None:
    environ = {"APP_ENV": "development"}
    if value is not None:
        environ["WEBCHAT_SESSION_KEY"] = value

    first, throwaway = session_key(environ)
    second, _ = session_key(environ)

    assert throwaway
    assert len(first) == 32
    assert first != second


def test_the_channel_refuses_to_start_without_a_key_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.connectors.webchat import WebchatInput

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("WEBCHAT_SESSION_KEY", raising=False)

    async def on_new_message(message: object) -> None:
        return None

    with pytest.raises(SessionKeyError, match="WEBCHAT_SESSION_KEY missing"):
        WebchatInput.from_credentials({"session_persistence": True}).blueprint(on_new_message)


def test_the_channel_warns_when_it_uses_a_throw_away_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.connectors.webchat import WebchatInput

    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("WEBCHAT_SESSION_KEY", raising=False)

    async def on_new_message(message: object) -> None:
        return None

    with caplog.at_level(logging.WARNING, logger="bot.connectors.webchat"):
        WebchatInput.from_credentials({"session_persistence": True}).blueprint(on_new_message)

    assert "WEBCHAT_SESSION_KEY is not set" in caplog.text


# --- bindings ------------------------------------------------------------------------------------------

A = Session("a" * 32, "token-a")
B = Session("b" * 32, "token-b")


def test_a_socket_is_bound_to_one_session_and_forgotten_when_it_disconnects() -> None:
    bindings = SessionBindings()

    assert bindings.bind("sid-1", A) == (None, None)
    assert bindings.session_of("sid-1") == A
    assert bindings.live_sid(A.sender_id) == "sid-1"

    assert bindings.unbind("sid-1") == A
    assert bindings.session_of("sid-1") is None
    assert bindings.live_sid(A.sender_id) is None
    assert len(bindings) == 0


def test_the_newest_socket_of_a_session_wins() -> None:
    bindings = SessionBindings()
    bindings.bind("old", A)

    replaced, left = bindings.bind("new", A)

    assert (replaced, left) == ("old", None)
    assert bindings.session_of("old") is None
    assert bindings.live_sid(A.sender_id) == "new"
    # the old socket's disconnect arrives afterwards and must not unbind the new one
    assert bindings.unbind("old") is None
    assert bindings.live_sid(A.sender_id) == "new"


def test_rebinding_a_socket_to_another_session_leaves_the_first() -> None:
    bindings = SessionBindings()
    bindings.bind("sid-1", A)

    assert bindings.bind("sid-1", B) == (None, A.sender_id)
    assert bindings.live_sid(A.sender_id) is None
    assert bindings.live_sid(B.sender_id) == "sid-1"


def test_asking_again_for_the_same_session_changes_nothing() -> None:
    bindings = SessionBindings()
    bindings.bind("sid-1", A)

    assert bindings.bind("sid-1", A) == (None, None)
    assert bindings.live_sid(A.sender_id) == "sid-1"
