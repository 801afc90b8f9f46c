"""The web-chat client of the limit test, and the flooder it runs in a process of its own.

``python -m tests.ops.webchat_flood URL OUT.json`` floods until its stdin closes, then writes what it sent and
heard to OUT.json. A separate process, so that sending thousands of frames a second does not delay the event
loop of the test process, which measures the resident's reply latency.

The flood: ``SOCKETS`` sockets from one client address send frames as fast as they can (short texts, the longest
allowed digit string, a text that is too long, oversize and spoofed metadata); a disconnected socket reconnects
at once, and one socket sends a single frame larger than the frame cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import socketio

from bot.connectors.limits import WebchatLimits

ORIGIN = "https://www.bibliotheek-voorbeeld.nl"
FLOODER_ADDRESS = "203.0.113.66"
SOCKETS = 4
QUIET_S = 1.0
DEFAULTS = WebchatLimits()
LONG_DIGITS = ("1234567890" * 410)[: DEFAULTS.max_text_chars]  # allowed length, the slowest text to mask
TOO_LONG_TEXT = "a" * (DEFAULTS.max_text_chars + 1)
BIG_METADATA = {"blob": "z" * (DEFAULTS.max_metadata_bytes * 8)}  # over the cap, well under the frame cap
SPOOFED_METADATA = {"forwarded": True, "trap": "x"}  # not on the allow-list (empty by default)
OVERSIZE_FRAME = "o" * (DEFAULTS.max_frame_bytes * 4)
BIG_METADATA_MARK = "met metadata"


class Client:
    """One socket.io client speaking the widget's protocol from one (forwarded) client address."""

    def __init__(self, url: str, address: str) -> None:
        self.url = url
        self.address = address
        self.sio = socketio.AsyncClient(reconnection=False)
        self.bot: asyncio.Queue[str] = asyncio.Queue()
        self.texts: list[str] = []
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.disconnected = asyncio.Event()
        self.session_id = ""
        self.sio.on("session_confirm", lambda data: self.confirmed.put_nowait(str(data)))
        self.sio.on("bot_uttered", self._on_bot)
        self.sio.on("disconnect", lambda *_: self.disconnected.set())

    def _on_bot(self, data: Any) -> None:
        text = str(data.get("text", "")) if isinstance(data, dict) else ""
        self.texts.append(text)
        self.bot.put_nowait(text)

    async def open(self) -> Client:
        """Connect (Origin allowed, ``X-Forwarded-For`` this client's address) and get a session."""
        await self.sio.connect(
            self.url,
            headers={"Origin": ORIGIN, "X-Forwarded-For": self.address},
            transports=["websocket"],
            socketio_path="/socket.io",
            wait_timeout=10,
        )
        await self.sio.emit("session_request", {"session_id": None})
        self.session_id = await asyncio.wait_for(self.confirmed.get(), 30)
        return self

    async def send(self, text: str, metadata: Any = None) -> None:
        event: dict[str, Any] = {"message": text, "session_id": self.session_id}
        if metadata is not None:
            event["metadata"] = metadata
        await self.sio.emit("user_uttered", event)

    async def turn(self, text: str, timeout: float) -> float:
        """Send ``text``; return the seconds until the first bot message, after the rest of the answer."""
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                self.bot.get_nowait()
        started = time.perf_counter()
        await self.send(text)
        await asyncio.wait_for(self.bot.get(), timeout)
        latency = time.perf_counter() - started
        with contextlib.suppress(asyncio.TimeoutError):
            while True:
                await asyncio.wait_for(self.bot.get(), QUIET_S)
        return latency

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


class Flood:
    """What the flooder did: frames sent, texts heard, sessions it had, connections refused or closed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sent = 0
        self.heard: list[str] = []
        self.sessions: list[str] = []
        self.refused_connects = 0
        self.disconnects = 0
        self.oversize_session = ""
        self.oversize_closed = False

    async def _socket(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            client = Client(self.url, FLOODER_ADDRESS)
            try:
                await client.open()
            except Exception:  # refused (address bucket empty) or timed out: try again, as an attacker would
                self.refused_connects += 1
                await client.close()
                await asyncio.sleep(0.005)
                continue
            self.sessions.append(client.session_id)
            number = 0
            while not stop.is_set() and not client.disconnected.is_set():
                kind = number % 10
                if kind == 1:  # early, so the socket's burst admits it to the size check
                    await client.send(TOO_LONG_TEXT)
                elif kind == 3:
                    await client.send(LONG_DIGITS)
                elif kind == 7:
                    await client.send(f"vloed {number} {BIG_METADATA_MARK}", BIG_METADATA)
                elif kind == 9:
                    await client.send(f"vloed {number} nagemaakt", SPOOFED_METADATA)
                else:
                    await client.send(f"vloed {number}")
                number += 1
                self.sent += 1
                await asyncio.sleep(0.001)
            self.disconnects += client.disconnected.is_set()
            self.heard.extend(client.texts)
            await client.close()

    async def _oversize(self, client: Client) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(client.disconnected.wait(), 10)
        self.oversize_closed = client.disconnected.is_set()
        await client.close()

    async def run(self, stop: asyncio.Event) -> None:
        oversize = await Client(self.url, FLOODER_ADDRESS).open()  # first: later the address bucket is empty
        self.oversize_session = oversize.session_id
        await oversize.send(OVERSIZE_FRAME)
        await asyncio.gather(self._oversize(oversize), *(self._socket(stop) for _ in range(SOCKETS)))

    def report(self) -> dict[str, Any]:
        return dict(vars(self))


async def _main(url: str, out: Path) -> None:
    flood = Flood(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    running = asyncio.create_task(flood.run(stop))
    print("flooding", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our stdin
    stop.set()
    await running
    out.write_text(json.dumps(flood.report()), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], Path(sys.argv[2])))
