"""Locust users for `make loadtest`: residents holding conversations over REST and over socket.io.

Each simulated user is one conversation (its own sender id or socket session) that sends a scripted
Dutch turn, waits for the reply and pauses 1-3 s (faster than a real resident types, so the load is on
the heavy side). REST turns are timed by Locust's HttpUser; socket.io turns are timed here, from the
``user_uttered`` emit to the first ``bot_uttered``, and reported with ``events.request``.
Run through tests/load/run_loadtest.py, which starts the stack and collects the figures.
"""

from __future__ import annotations

import itertools
import queue
import time
import uuid
from typing import Any

import socketio
from locust import HttpUser, User, between, events, task

TURNS = (
    "Hallo",
    "Hoe vraag ik een DigiD aan?",
    "Ik woon in Kerkrade",
    "Kan het simpeler?",
    "Waar is het Informatiepunt?",
    "Hoe werkt de zorgtoeslag?",
    "Ik kreeg een rare sms van de bank",
    "Wat is ChatGPT?",
    "Ik wil een medewerker spreken",
    "Bedankt",
)
REPLY_TIMEOUT_S = 10.0
ORIGIN = "http://127.0.0.1:8080"


class RestConversation(HttpUser):
    """A resident behind an adapter: POST /webhooks/rest/webhook with its own sender id."""

    wait_time = between(1, 3)
    weight = 1

    def on_start(self) -> None:
        """A fresh sender id per simulated conversation."""
        self.sender = f"load-rest-{uuid.uuid4().hex[:12]}"
        self.turns = itertools.cycle(TURNS)

    @task
    def turn(self) -> None:
        """One turn; an empty reply list counts as a failure (the resident would get the apology)."""
        body = {"sender": self.sender, "message": next(self.turns)}
        with self.client.post(
            "/webhooks/rest/webhook", json=body, name="rest turn", catch_response=True, timeout=REPLY_TIMEOUT_S
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}")
            elif not reply.json():
                reply.failure("empty reply")


class SocketConversation(User):
    """A resident in the web widget: a sync python-socketio client on the websocket transport."""

    wait_time = between(1, 3)
    weight = 1

    def on_start(self) -> None:
        """Connect and get a session id, as the widget does."""
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.turns = itertools.cycle(TURNS)
        # websocket-client writes its own Origin (the server URL) and appends extra headers after it, so a
        # header Origin arrives twice and the allow-list refuses the socket. Its ``origin`` option sets the one.
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": ORIGIN})
        confirmed: queue.Queue[str] = queue.Queue()
        self.sio.on("bot_uttered", self.inbox.put)
        self.sio.on("session_confirm", lambda data: confirmed.put(data if isinstance(data, str) else ""))
        started = time.perf_counter()
        try:
            self.sio.connect(self.host, transports=["websocket"], wait_timeout=10)
            self.sio.emit("session_request", {"session_id": None})
            self.session_id = confirmed.get(timeout=REPLY_TIMEOUT_S)
            exception: Exception | None = None
        except Exception as error:  # reported as a failed connect, then this user stops
            exception = error
        events.request.fire(
            request_type="socketio",
            name="socket connect",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=exception,
            context={},
        )
        if exception is not None:
            self.stop()

    def on_stop(self) -> None:
        """Close the socket."""
        if self.sio.connected:
            self.sio.disconnect()

    @task
    def turn(self) -> None:
        """Emit one message and time the first bot message."""
        while not self.inbox.empty():  # late parts of the previous turn
            self.inbox.get_nowait()
        started = time.perf_counter()
        exception: Exception | None = None
        length = 0
        try:
            self.sio.emit("user_uttered", {"message": next(self.turns), "session_id": self.session_id})
            first = self.inbox.get(timeout=REPLY_TIMEOUT_S)
            length = len(str(first))
        except queue.Empty:
            exception = TimeoutError(f"no bot_uttered within {REPLY_TIMEOUT_S:.0f} s")
        except Exception as error:
            exception = error
        events.request.fire(
            request_type="socketio",
            name="socket turn",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            exception=exception,
            context={},
        )
