"""Fuzz run: random and adversarial messages through the two resident paths into the real Rasa.

Paths: the web widget's socket.io channel (``bot/connectors/webchat.py``) and the adapters' REST path
(``bot/rasa_client.py``). Checks, per conversation, in the tracker Rasa stored (HTTP API, token):
- every user message got at least one real bot message before the next one (not the apology);
- a user event whose text starts with '/' is always a button this conversation was offered and pressed;
- no user event carries entities (the model extracts none, so any entity came from payload syntax);
and at the end that Rasa and the action server are still running and logged no traceback.

Usage: python -m tests.fuzz.run_fuzz [--count 10000] [--seed 6] [--concurrency 10] [--rasa-url URL]
       [--out results/fuzz.json]
Without --rasa-url it starts its own stack (scripts/stack.py) with Rasa's HTTP API on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.connectors.limits import TOO_LONG, WebchatLimits
from bot.rasa_client import RasaClient, RasaOutcome
from bot.settings import RasaSettings
from scripts import stack as stack_script
from shared.messages import IncomingMessage, load_fixed_texts
from tests.faults.fault_support import TRACKER_TOKEN, user_events
from tests.faults.webchat_client import WebchatClient
from tests.fuzz.fuzz_messages import FuzzMessage, messages

HERE = Path(__file__).resolve().parent


LIMITS = WebchatLimits()
MESSAGES_PER_CONVERSATION = 20
PRESS_PROBABILITY = 0.1
ADAPTER_SHARE = 0.3
# Sanic 21.12 logs this traceback when a client closes its websocket while the server still writes to it;
# the connection is gone, the process and other conversations are unaffected. Counted, not a failure.
SANIC_CLOSE_RACE = "AttributeError: 'NoneType' object has no attribute 'is_closing'"


@dataclass
class FuzzReport:
    """Totals, failures and figures of one run."""

    count: int
    seed: int
    concurrency: int
    sent: int = 0
    conversations: int = 0
    presses: int = 0
    families: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    wall_s: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    crashed: list[str] = field(default_factory=list)
    known_noise: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing crashed."""
        return not self.failures and not self.crashed and self.sent == self.count


@dataclass
class Sent:
    """What one conversation sent: texts in order and which of them were offered button presses."""

    texts: list[str] = field(default_factory=list)
    pressed: set[str] = field(default_factory=set)
    offered: set[str] = field(default_factory=set)
    families: list[str] = field(default_factory=list)


def _fail(report: FuzzReport, family: str, text: str, reason: str) -> None:
    if len(report.failures) < 200:
        report.failures.append({"family": family, "text": repr(text[:80]), "reason": reason})
    else:
        report.failures.append({"family": family, "text": "", "reason": reason})


def check_tracker(report: FuzzReport, events: list[dict[str, Any]], sent: Sent, apology: str) -> None:
    """Answers and payload rules, read from the events Rasa stored for one conversation."""
    users = user_events(events)
    if len(users) != len(sent.texts):
        stored = [str(e.get("text"))[:15] for e in users]
        reason = f"{len(sent.texts)} sent but {len(users)} stored: {[t[:15] for t in sent.texts]} {stored}"
        _fail(report, "conversation", "", reason)
    # Typing exactly a payload the bot offered equals pressing that button, and is allowed.
    allowed = sent.pressed | sent.offered
    answered = [False] * len(users)
    index = -1
    for event in events:
        if event.get("event") == "user":
            index += 1
        elif event.get("event") == "bot" and index >= 0 and (event.get("text") or "") != apology:
            answered[index] = True
    families = sent.families + ["?"] * max(0, len(users) - len(sent.families))
    for position, (event, family) in enumerate(zip(users, families, strict=False)):
        text = str(event.get("text") or "")
        if not answered[position]:
            _fail(report, family, text, "no bot message for this user message")
        if text.strip().startswith("/") and text.strip() not in allowed:
            _fail(report, family, text, "payload syntax reached Rasa without an offered button")
        entities = (event.get("parse_data") or {}).get("entities") or []
        if entities and text.strip() not in allowed:
            _fail(report, family, text, "entities set from typed text")


def _text_or_press(
    item: FuzzMessage, offered: list[str], rng: random.Random, sent: Sent, report: FuzzReport
) -> str:
    """The fuzz text, or now and then a button payload the bot offered (a resident pressing it)."""
    if offered and rng.random() < PRESS_PROBABILITY:
        text = rng.choice(offered)
        sent.pressed.add(text)
        report.presses += 1
        return text
    return item.text


async def _web_conversation(url: str, batch: list[FuzzMessage], rng: random.Random, report: FuzzReport,
                            latencies: list[float], apology: str) -> None:  # fmt: skip
    web = await WebchatClient(url).open()
    too_long = load_fixed_texts().get(TOO_LONG)
    sent = Sent()
    offered: list[str] = []
    try:
        for item in batch:
            text = _text_or_press(item, offered, rng, sent, report)
            as_received = json.loads(json.dumps(text))  # the server joins escaped surrogate pairs
            if len(as_received) > LIMITS.max_text_chars:
                # The socket refuses it with the limit text and Rasa never stores it (bot/connectors/limits.py).
                # Cut to one character over, so the frame stays under the frame cap whatever the escaping.
                text = as_received[: LIMITS.max_text_chars] + "x"
                turn = await web.say(text, timeout=30, quiet=0.15)
                report.sent += 1
                if too_long not in turn.texts:
                    _fail(report, item.family, text, "webchat: a too long text did not get the limit text")
                continue
            turn = await web.say(text, timeout=30, quiet=0.15)
            sent.texts.append(text)
            sent.families.append(item.family)
            report.sent += 1
            if turn.first_ms is None:
                _fail(report, item.family, text, "webchat: no reply within 30 s")
            else:
                latencies.append(turn.first_ms)
            if apology in turn.texts:
                _fail(report, item.family, text, "webchat: got the apology")
            offered = turn.payloads or offered
            sent.offered.update(turn.payloads)
        events = await asyncio.to_thread(_tracker, url, web.sender_id, len(sent.texts))
    finally:
        await web.close()
    check_tracker(report, events, sent, apology)


async def _adapter_conversation(rasa: RasaClient, url: str, batch: list[FuzzMessage], rng: random.Random,
                                report: FuzzReport, latencies: list[float], apology: str) -> None:  # fmt: skip
    sender = f"fuzz-{rng.getrandbits(64):016x}"
    sent = Sent()
    offered: list[str] = []
    for item in batch:
        text = _text_or_press(item, offered, rng, sent, report)
        reply = await rasa.send(IncomingMessage(sender=sender, text=text, channel="telegram"))
        sent.texts.append(text)
        sent.families.append(item.family)
        report.sent += 1
        latencies.append(reply.latency_ms)
        if reply.outcome is not RasaOutcome.OK:
            _fail(report, item.family, text, f"adapter: {reply.outcome.value}")
        offered = [b.payload for m in reply.messages for b in m.buttons] or offered
        sent.offered.update(b.payload for m in reply.messages for b in m.buttons)
    events = await asyncio.to_thread(_tracker, url, sender, len(sent.texts))
    check_tracker(report, events, sent, apology)


def _tracker(url: str, sender: str, user_messages: int, wait_s: float = 90.0) -> list[dict[str, Any]]:
    """The stored events, once the last turn is saved.

    socket.io carries no reply id, so a bot message that arrives late can be taken for the reply to the
    next message, and the client can run a few messages ahead of Rasa (each waits for the conversation's
    lock, polled once a second). The wait lets Rasa catch up before the checks.
    """
    deadline = time.monotonic() + wait_s
    while True:
        reply = httpx.get(f"{url}/conversations/{sender}/tracker", params={"token": TRACKER_TOKEN}, timeout=60)
        reply.raise_for_status()
        events = list(reply.json()["events"])
        if len(user_events(events)) >= user_messages or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


async def run(url: str, count: int, seed: int, concurrency: int) -> FuzzReport:
    """Send ``count`` fuzz messages with ``concurrency`` parallel conversations and check everything."""
    report = FuzzReport(count=count, seed=seed, concurrency=concurrency)
    apology = load_fixed_texts().get("rasa_unavailable")
    all_messages = list(messages(count, seed))
    report.families = dict(Counter(m.family for m in all_messages))
    batches = [
        all_messages[i : i + MESSAGES_PER_CONVERSATION]
        for i in range(0, len(all_messages), MESSAGES_PER_CONVERSATION)
    ]
    queue: asyncio.Queue[list[FuzzMessage]] = asyncio.Queue()
    for batch in batches:
        queue.put_nowait(batch)
    latencies: list[float] = []
    started = time.perf_counter()
    async with httpx.AsyncClient() as http:
        rasa = RasaClient(http, RasaSettings(url=url, timeout_seconds=10), apology)

        async def worker(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while not queue.empty():
                batch = queue.get_nowait()
                report.conversations += 1
                try:
                    if rng.random() < ADAPTER_SHARE:
                        await _adapter_conversation(rasa, url, batch, rng, report, latencies, apology)
                    else:
                        await _web_conversation(url, batch, rng, report, latencies, apology)
                except Exception as error:  # a broken connection is a finding, not the end of the run
                    _fail(report, "conversation", "", f"{type(error).__name__}: {error}"[:200])

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    report.wall_s = round(time.perf_counter() - started, 1)
    if latencies:
        ordered = sorted(latencies)
        report.p50_ms = round(ordered[len(ordered) // 2], 1)
        report.p95_ms = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1)
    return report


def check_processes(stack: Any, report: FuzzReport) -> None:
    """Rasa and the action server must still run and must not have logged a traceback."""
    for name in ("rasa", "actions"):
        process = stack.processes.get(name)
        if process is None or process.poll() is not None:
            report.crashed.append(f"{name} exited")
        log = (stack.workdir / f"{name}.log").read_text(errors="replace")
        noise = log.count(SANIC_CLOSE_RACE)
        if noise:
            report.known_noise[f"{name}: {SANIC_CLOSE_RACE}"] = noise
        if log.count("Traceback") > noise:
            report.crashed.append(f"{name} logged a traceback")


def start_fuzz_stack() -> Any:
    """Actions + Rasa (in-memory tracker store) with the HTTP API on, for reading trackers."""
    return stack_script.start_custom_stack(rasa_args=("--enable-api", "--auth-token", TRACKER_TOKEN))


def main() -> int:
    """Run, print a summary, write the JSON report; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rasa-url", default="")
    parser.add_argument("--out", default="results/fuzz.json")
    args = parser.parse_args()
    stack = None if args.rasa_url else start_fuzz_stack()
    url = str(args.rasa_url) if stack is None else str(stack.rasa_url)
    try:
        report = asyncio.run(run(url, args.count, args.seed, args.concurrency))
        if stack is not None:
            check_processes(stack, report)
    finally:
        if stack is not None:
            stack.stop_all()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**asdict(report), "ok": report.ok}, indent=2, ensure_ascii=False) + "\n")
    print(
        f"fuzz: {report.sent}/{report.count} messages in {report.conversations} conversations, "
        f"{report.presses} button presses, {len(report.failures)} failures, crashed={report.crashed}, "
        f"p50={report.p50_ms} ms p95={report.p95_ms} ms, {report.wall_s} s -> {out}"
    )
    for failure in report.failures[:20]:
        print("  ", failure)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
