"""Bound web-chat sessions (docs/threat-model.md, socket row), proven against the real Rasa process.

The stock socket.io channel used any client-chosen ``session_id`` as Rasa's sender id and as the room the bot's
answers go to, so a second client that sent the same id heard every answer and could write into the
conversation. Here two or three python-socketio clients (websocket transport, an allowed Origin) talk to one
real Rasa: the server issues signed ids, binds each socket to its session and ignores any other id in later
messages. Trackers are read through Rasa's HTTP API, enabled with a token for this test only.

The Rasa sender id is the part of the session id before the first dot (bot/connectors/webchat_session.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.ci_support import require_module

socketio = require_module("socketio", "python-socketio is needed (app environment)")
# python-engineio's websocket client needs aiohttp >= 3.10; the Rasa environment pins 3.9.
require_module("aiohttp", "APP ENVIRONMENT NEEDED: run with .venv-app/bin/python", minversion="3.10")

from scripts import stack as stack_script  # noqa: E402
from tests.ops.ops_support import require_trained_model, tracker_events  # noqa: E402

ORIGIN = "https://www.bibliotheek-voorbeeld.nl"
TRACKER_TOKEN = "webchat-sessions-test-token"
SESSION_KEY = "webchat-sessions-test-key-0123456789abcdef"  # known here, so a test can sign an expired id
SIGNED_ID = re.compile(r"[0-9a-f]{32}\.[0-9]{1,12}\.[A-Za-z0-9_-]{43}")
FIRST_ANSWER_S = 120.0  # the first turn after start-up loads lazily
QUIET_S = 1.5
SILENCE_S = 4.0


def sender_of(session_id: str) -> str:
    """Rasa's sender id of a web-chat session id."""
    return session_id.split(".", 1)[0]


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    module = stack_script
    require_trained_model()
    running = module.start_custom_stack(
        extra_env={"WEBCHAT_ALLOWED_ORIGINS": ORIGIN, "WEBCHAT_SESSION_KEY": SESSION_KEY},
        rasa_args=("--enable-api", "--auth-token", TRACKER_TOKEN),
    )
    yield running
    running.stop_all()


def user_texts(stack: Any, session_id: str) -> list[str]:
    """The user messages stored in the tracker of this session's sender id."""
    events = tracker_events(stack.rasa_url, sender_of(session_id), TRACKER_TOKEN)
    return [event.get("text") for event in events if event.get("event") == "user"]


def rasa_log(stack: Any) -> str:
    return (stack.workdir / "rasa.log").read_text(errors="replace")


class Client:
    """One socket.io client speaking the widget's protocol, recording everything the server sends it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.confirms: asyncio.Queue[str] = asyncio.Queue()
        self.bot: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.disconnected = asyncio.Event()
        self.session_id = ""
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("bot_uttered", lambda data: self.bot.put_nowait(data if isinstance(data, dict) else {}))
        self.sio.on("disconnect", lambda *_: self.disconnected.set())

    def _on_confirm(self, data: Any) -> None:
        self.confirms.put_nowait(data if isinstance(data, str) else str((data or {}).get("session_id")))

    async def open(self) -> Client:
        await self.sio.connect(
            self.url,
            headers={"Origin": ORIGIN},
            transports=["websocket"],
            socketio_path="/socket.io",
            wait_timeout=10,
        )
        return self

    async def request(self, session_id: Any) -> str:
        """``session_request`` with any value; returns the id the server confirmed."""
        await self.sio.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self.confirms.get(), 30)
        return self.session_id

    async def say(self, text: str, session_id: Any = None) -> list[dict[str, Any]]:
        """Send a message (with this client's own id unless told otherwise); wait for the bot's answer."""
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})
        first = await asyncio.wait_for(self.bot.get(), FIRST_ANSWER_S)
        return [first, *await self.heard(QUIET_S)]

    async def heard(self, seconds: float) -> list[dict[str, Any]]:
        """Bot messages that arrive within ``seconds`` (until a gap of ``seconds``)."""
        messages = []
        with contextlib.suppress(TimeoutError):
            while True:
                messages.append(await asyncio.wait_for(self.bot.get(), seconds))
        return messages

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


@pytest.fixture()
async def clients(stack: Any) -> AsyncIterator[Any]:
    opened: list[Client] = []

    async def new() -> Client:
        client = await Client(stack.rasa_url).open()
        opened.append(client)
        return client

    yield new
    for client in opened:
        await client.close()


def _garble(session_id: str) -> str:
    return session_id[:-1] + ("A" if session_id[-1] != "A" else "B")


def _signed(key: str, sender: str, issued: int) -> str:
    message = f"wegwijzer-webchat-session:v1:{sender}:{issued}".encode()
    signature = base64.urlsafe_b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).rstrip(b"=")
    return f"{sender}.{issued}.{signature.decode()}"


# --- the two-client attack -------------------------------------------------------------------------------


@pytest.mark.parametrize("presented", ["bare room id", "signature changed"])
async def test_a_second_client_with_the_first_ones_id_neither_hears_nor_writes_into_its_conversation(
    stack: Any, clients: Any, presented: str
) -> None:
    alice = await clients()
    alice_id = await alice.request(None)
    assert await alice.say("hallo")
    forged = sender_of(alice_id) if presented == "bare room id" else _garble(alice_id)

    mallory = await clients()
    mallory_id = await mallory.request(forged)
    # Mallory writes, naming Alice's session in the message as well
    mallory_answer = await mallory.say("Ik wil hulp met toeslagen", session_id=forged)
    alice_heard_of_mallory = await alice.heard(SILENCE_S)
    alice_answer = await alice.say("Hoe vraag ik een DigiD aan?")
    mallory_heard_of_alice = await mallory.heard(SILENCE_S)

    assert mallory_id != forged and sender_of(mallory_id) != sender_of(alice_id), "Mallory got Alice's session"
    assert mallory_answer, "Mallory is answered in her own conversation"
    assert alice_answer
    assert alice_heard_of_mallory == [], "Alice received the answer to Mallory's message"
    assert mallory_heard_of_alice == [], "Mallory received Alice's answer"
    assert user_texts(stack, alice_id) == ["hallo", "Hoe vraag ik een DigiD aan?"]
    assert user_texts(stack, mallory_id) == ["Ik wil hulp met toeslagen"]


# --- ids the server did not issue ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "client chosen",
        "overlong",
        "signature changed",
        "another key",
        "expired",
        "issued in the future",
        "number",
    ],
)
async def test_an_id_the_server_did_not_issue_gets_a_fresh_one(stack: Any, clients: Any, kind: str) -> None:
    key = SESSION_KEY
    sender = secrets.token_hex(16)
    now = int(time.time())
    presented: Any = {
        "client chosen": "gedeelde-sessie-van-de-bibliotheek",
        "overlong": "a" * 10_000,  # far over the token's 128 characters; a frame over 64 KB is closed unread
        "signature changed": _garble(_signed(key, sender, now)),
        "another key": _signed("another-key-that-this-server-never-had", sender, now),
        "expired": _signed(key, sender, now - 13 * 3600),
        "issued in the future": _signed(key, sender, now + 3600),
        "number": 12345,
    }[kind]
    client = await clients()

    confirmed = await client.request(presented)

    assert SIGNED_ID.fullmatch(confirmed), f"not a server-issued id: {confirmed[:80]!r}"
    assert confirmed != presented
    assert sender_of(confirmed) not in (sender, str(presented)[:32])


# --- a returning id --------------------------------------------------------------------------------------


async def test_a_returning_signed_id_continues_the_same_conversation(stack: Any, clients: Any) -> None:
    before_reload = await clients()
    session_id = await before_reload.request(None)
    assert await before_reload.say("Hoe vraag ik een DigiD aan?")
    await before_reload.close()

    after_reload = await clients()
    confirmed = await after_reload.request(session_id)
    answer = await after_reload.say("Ik wil hulp met toeslagen")

    assert SIGNED_ID.fullmatch(session_id)
    assert confirmed == session_id
    assert answer
    assert user_texts(stack, session_id) == ["Hoe vraag ik een DigiD aan?", "Ik wil hulp met toeslagen"]


async def test_the_newest_socket_of_a_session_takes_over_and_the_older_one_is_disconnected(
    stack: Any, clients: Any
) -> None:
    # A reload (or a copied token) while the old socket is still open: one session has one live socket.
    older = await clients()
    session_id = await older.request(None)
    assert await older.say("Hoe vraag ik een DigiD aan?")

    newer = await clients()
    confirmed = await newer.request(session_id)
    await asyncio.wait_for(older.disconnected.wait(), 10)
    answer = await newer.say("Ik wil hulp met toeslagen")

    assert confirmed == session_id
    assert answer
    assert await older.heard(0.5) == [], "the older socket still received answers"
    assert user_texts(stack, session_id) == ["Hoe vraag ik een DigiD aan?", "Ik wil hulp met toeslagen"]


# --- the session_id inside messages ----------------------------------------------------------------------


async def test_a_differing_session_id_in_a_message_is_ignored_and_logged_without_the_text(
    stack: Any, clients: Any
) -> None:
    alice = await clients()
    alice_id = await alice.request(None)
    bob = await clients()
    bob_id = await bob.request(None)
    text = "Waar vind ik mijn toeslagbrief 4711?"

    bob_answer = await bob.say(text, session_id=alice_id)  # Alice's genuine signed id
    alice_heard = await alice.heard(SILENCE_S)

    assert bob_answer
    assert alice_heard == []
    assert user_texts(stack, alice_id) == []
    assert user_texts(stack, bob_id) == [text]
    log = rasa_log(stack)
    assert "ignored a session_id in a webchat message" in log
    assert "4711" not in log


async def test_a_message_before_session_request_gets_its_own_session_first(stack: Any, clients: Any) -> None:
    alice = await clients()
    alice_id = await alice.request(None)
    early = await clients()

    answer = await early.say("hallo", session_id=alice_id)
    confirmed = await asyncio.wait_for(early.confirms.get(), 5)
    alice_heard = await alice.heard(SILENCE_S)

    assert answer
    assert SIGNED_ID.fullmatch(confirmed) and sender_of(confirmed) != sender_of(alice_id)
    assert alice_heard == []
    assert user_texts(stack, alice_id) == []
    assert user_texts(stack, confirmed) == ["hallo"]
