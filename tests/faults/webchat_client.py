"""A resident's browser, reduced to the socket.io protocol the widget speaks (websocket transport only).

Used by the fault drills, the payload-protection tests and the fuzz run against the real Rasa process.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import socketio

ORIGIN = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class Turn:
    """What the bot sent back for one message, and when the first part arrived."""

    messages: list[dict[str, Any]]
    first_ms: float | None

    @property
    def texts(self) -> list[str]:
        """The text parts, in order."""
        return [m["text"] for m in self.messages if isinstance(m.get("text"), str)]

    @property
    def payloads(self) -> list[str]:
        """Payloads of the quick replies (buttons) the bot offered."""
        return [
            r["payload"]
            for m in self.messages
            for r in m.get("quick_replies") or []
            if isinstance(r, dict) and isinstance(r.get("payload"), str)
        ]


class WebchatClient:
    """One conversation over Rasa's socket.io channel, as the web widget holds it."""

    def __init__(self, rasa_url: str, origin: str = ORIGIN) -> None:
        self.rasa_url = rasa_url
        self.origin = origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.session_id = ""
        self.client.on("bot_uttered", self._on_bot)

    async def _on_bot(self, data: Any) -> None:
        self.inbox.put_nowait((time.perf_counter(), data if isinstance(data, dict) else {"raw": data}))

    async def open(self, timeout: float = 10.0) -> WebchatClient:
        """Connect and get a session id from the server."""
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_confirm(data: Any) -> None:
            if not confirmed.done():
                confirmed.set_result(data if isinstance(data, str) else str(data.get("session_id")))

        self.client.on("session_confirm", on_confirm)
        await self.client.connect(
            self.rasa_url,
            transports=["websocket"],
            headers={"Origin": self.origin},
            wait_timeout=timeout,
        )
        await self.client.emit("session_request", {"session_id": None})
        self.session_id = await asyncio.wait_for(confirmed, timeout)
        return self

    @property
    def sender_id(self) -> str:
        """Rasa's sender id (the tracker's key): the session id's random part, before the first dot."""
        return self.session_id.split(".", 1)[0]

    async def emit_raw(self, data: Any) -> None:
        """Send any ``user_uttered`` data as is (for malformed-event tests)."""
        await self.client.emit("user_uttered", data)

    async def say(self, text: str, timeout: float = 15.0, quiet: float = 0.3) -> Turn:
        """Send one message; collect bot messages until ``quiet`` seconds pass without one."""
        sent = time.perf_counter()
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        return await self.collect(sent, timeout, quiet)

    async def collect(self, sent: float, timeout: float = 15.0, quiet: float = 0.3) -> Turn:
        """Wait for the bot's messages after a message sent at ``sent`` (perf_counter seconds)."""
        try:
            first_at, first = await asyncio.wait_for(self.inbox.get(), timeout)
        except TimeoutError:
            return Turn([], None)
        messages = [first]
        while True:
            try:
                _, more = await asyncio.wait_for(self.inbox.get(), quiet)
            except TimeoutError:
                break
            messages.append(more)
        return Turn(messages, (first_at - sent) * 1000)

    async def close(self) -> None:
        """Disconnect."""
        await self.client.disconnect()
