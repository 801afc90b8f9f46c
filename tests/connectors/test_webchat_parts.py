"""Each part of the web-chat channel alone (bot/connectors/webchat_*.py), without a socket or Rasa.

The parts wired together, on the wire against the real Rasa process, are tested in tests/ops/
(test_webchat_sessions.py, test_webchat_limits.py, test_exposure.py) and tests/faults/.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.connectors.masking_pool import MaskingPool
from bot.connectors.webchat_inbound import InboundText
from bot.connectors.webchat_origin import DEFAULT_ORIGINS, allowed_origins, origin_allowed
from bot.connectors.webchat_output import answer_or_apologise, button_payloads
from bot.connectors.webchat_rooms import SocketSessions
from bot.connectors.webchat_session import SessionBindings, SessionSigner
from shared.payload_guard import OfferedPayloads

APOLOGY = "Het lukt nu even niet."


def test_allowed_origins_come_from_the_environment_without_trailing_slashes() -> None:
    environ = {"WEBCHAT_ALLOWED_ORIGINS": " https://www.mijnstreekbibliotheek.nl/ , ,http://localhost:8080"}

    assert allowed_origins(environ) == {"https://www.mijnstreekbibliotheek.nl", "http://localhost:8080"}
    assert allowed_origins({}) == set(DEFAULT_ORIGINS.split(","))


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        ("https://bieb.example/", {"https://bieb.example"}, True),
        ("https://evil.example", {"https://bieb.example"}, False),
        ("", {"https://bieb.example"}, False),
        ("https://evil.example", {"*"}, True),
    ],
)
def test_only_an_allowed_origin_may_open_a_socket(origin: str, allowed: set[str], expected: bool) -> None:
    assert origin_allowed({"HTTP_ORIGIN": origin}, allowed) is expected


def test_button_payloads_reads_buttons_and_quick_replies_only() -> None:
    message = {
        "text": "Kies:",
        "buttons": [{"title": "Ja", "payload": "/ja"}, {"title": "kapot"}, "geen object"],
        "quick_replies": [{"title": "Nee", "payload": "/nee"}],
    }

    assert button_payloads(message) == ["/ja", "/nee"]
    assert button_payloads({"text": "alleen tekst"}) == []


async def test_an_offered_payload_passes_and_other_payload_syntax_is_neutralised_and_masked() -> None:
    offered = OfferedPayloads()
    offered.record("s1", ["/kies_gemeente"])
    pool = MaskingPool(workers=1, queue=1)
    inbound = InboundText(offered, pool)
    try:
        passed = await inbound.prepare("s1", "/kies_gemeente")
        other_sender = await inbound.prepare("s2", "/kies_gemeente")
        masked = await inbound.prepare("s1", "mijn bsn is 111222333")
    finally:
        await pool.stop()

    assert passed.text == "/kies_gemeente" and not passed.busy
    assert not other_sender.text.startswith("/")
    assert "111222333" not in masked.text and "[BSN]" in masked.text


async def test_with_no_masking_worker_free_the_message_is_refused_not_passed_unmasked() -> None:
    inbound = InboundText(OfferedPayloads(), MaskingPool(workers=0, queue=0))

    prepared = await inbound.prepare("s1", "mijn bsn is 111222333")

    assert prepared.busy and prepared.text == ""


def _message(output: CollectingOutputChannel | None) -> UserMessage:
    return UserMessage("hallo", output, sender_id="s1")


async def test_a_turn_that_sent_nothing_gets_the_apology_once() -> None:
    output = CollectingOutputChannel()

    async def silent(message: UserMessage) -> None:
        return None

    await answer_or_apologise(_message(output), silent, OfferedPayloads(), APOLOGY)

    assert [m["text"] for m in output.messages] == [APOLOGY]


async def test_a_turn_that_answered_gets_no_apology_and_its_buttons_are_recorded() -> None:
    output = CollectingOutputChannel()
    offered = OfferedPayloads()

    async def answers(message: UserMessage) -> str:
        assert message.output_channel is not None
        await message.output_channel.send_response("s1", {"text": "Kies", "buttons": [{"payload": "/ja"}]})
        return "done"

    result = await answer_or_apologise(_message(output), answers, offered, APOLOGY)

    assert result == "done"
    assert [m["text"] for m in output.messages] == ["Kies"]
    assert offered.was_offered("s1", "/ja")


class RecordingServer:
    """Records what the session part asks of a socket.io server (rooms, events, disconnects)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.calls.append(("enter", sid, room))

    def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None:  # sync in socketio 5
        self.calls.append(("leave", sid, room))

    async def emit(self, event: str, data: Any, room: str, namespace: str | None = None) -> None:
        self.calls.append(("emit", event, data, room))

    async def disconnect(self, sid: str, namespace: str | None = None) -> None:
        self.calls.append(("disconnect", sid))


def _sessions() -> tuple[SocketSessions, RecordingServer, SessionSigner]:
    server, signer = RecordingServer(), SessionSigner(b"k" * 32)
    return SocketSessions(server, None, signer, SessionBindings()), server, signer


async def test_a_returning_token_that_verifies_keeps_its_session_and_joins_its_room() -> None:
    sessions, server, signer = _sessions()
    returning = signer.issue()

    await sessions.request("sid1", {"session_id": returning.token})

    assert sessions.bindings.session_of("sid1") == returning
    assert server.calls == [
        ("enter", "sid1", returning.sender_id),
        ("emit", "session_confirm", returning.token, "sid1"),
    ]


@pytest.mark.parametrize("data", [{"session_id": "chosen-by-the-client"}, {}, "not an object", None])
async def test_anything_but_a_verified_token_gets_a_fresh_session(data: Any) -> None:
    sessions, server, _ = _sessions()

    await sessions.request("sid1", data)

    session = sessions.bindings.session_of("sid1")
    assert session is not None and session.sender_id != "chosen-by-the-client"
    assert server.calls[-1] == ("emit", "session_confirm", session.token, "sid1")


async def test_a_newer_socket_takes_over_and_the_older_one_is_disconnected() -> None:
    sessions, server, signer = _sessions()
    session = signer.issue()
    await sessions.request("old", {"session_id": session.token})
    server.calls.clear()

    await sessions.request("new", {"session_id": session.token})

    assert ("leave", "old", session.sender_id) in server.calls
    assert ("disconnect", "old") in server.calls
    assert sessions.bindings.live_sid(session.sender_id) == "new"
    assert sessions.bindings.session_of("old") is None


async def test_a_message_uses_its_sockets_session_whatever_id_it_claims() -> None:
    sessions, server, signer = _sessions()
    other = signer.issue()

    first = await sessions.for_message("sid1", other.token)  # no session_request yet: one is bound first
    again = await sessions.for_message("sid1", other.sender_id)

    assert first == again != other
    assert server.calls[0] == ("enter", "sid1", first.sender_id)
    sessions.forget("sid1")
    assert sessions.bindings.session_of("sid1") is None
