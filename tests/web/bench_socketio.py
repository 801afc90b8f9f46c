"""End-to-end latency through Rasa's socket.io channel, as the web widget sees it.

Each simulated visitor is a python-socketio AsyncClient on the websocket transport (like the
widget): it asks for a session, then holds 6-turn conversations. A turn's latency is the time from
emitting ``user_uttered`` to the first ``bot_uttered``; the time to the last message of the turn
(Rasa may send several) is reported too. Levels of 10 and 50 concurrent clients by default.
Goal: p95 <= 300 ms at 50 concurrent conversations. Writes results/bench-socketio.json.

Default: clients start together and ask back to back (no reading time), the worst case.
--think-s and --ramp-s model residents who read the answer and do not all start at once.

Usage: python -m tests.web.bench_socketio [--rasa-url URL] [--levels 10,50] [--think-s S]
       [--ramp-s S] [--out PATH]
Without --rasa-url (or WEGWIJZER_RASA_URL) it starts ``make -s serve-test-stack`` and stops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import socketio

from tests.web.web_support import REPO, read_stack_info, start, stop

ORIGIN = "http://127.0.0.1:8080"
TURN_TIMEOUT_S = 10.0
QUIET_S = 0.25  # a turn is over when no message came for this long (not counted in latency)
GOAL_P95_MS = 300.0
GOAL_CLIENTS = 50
STACK_START_TIMEOUT_S = 1800.0  # make may have to train the model first
CONVERSATIONS = (
    (
        "Hallo",
        "Hoe vraag ik een DigiD aan?",
        "Ik woon in Kerkrade",
        "Kan het simpeler?",
        "Waar is het Informatiepunt?",
        "Bedankt",
    ),
    (
        "Goedemiddag",
        "Ik kan niet meer inloggen met DigiD",
        "Brunssum",
        "Wanneer is het E-café open?",
        "Ik wil een medewerker spreken",
        "Dag",
    ),
    (
        "Ik kreeg een rare sms van de bank",
        "Wat moet ik doen?",
        "Hoe werkt zorgtoeslag?",
        "Ik woon in Bocholtz",
        "Wat is ChatGPT?",
        "Dank u wel",
    ),
)


@dataclass
class Turn:
    """One measured turn."""

    first_ms: float | None
    last_ms: float | None
    messages: int


@dataclass
class LevelResult:
    """Figures for one concurrency level."""

    clients: int
    conversations: int
    turns: int
    ok: int
    errors: int
    error_kinds: dict[str, int] = field(default_factory=dict)
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None
    max_ms: float | None = None
    last_message_p95_ms: float | None = None
    wall_s: float = 0.0
    turns_per_s: float = 0.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation), in the unit of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def conversation(url: str, script: tuple[str, ...], think_s: float) -> list[Turn]:
    """One visitor: connect, get a session, run the turns, disconnect."""
    client = socketio.AsyncClient(reconnection=False)
    inbox: asyncio.Queue[float] = asyncio.Queue()
    session: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @client.on("bot_uttered")
    async def on_bot(_: Any) -> None:
        inbox.put_nowait(time.perf_counter())

    @client.on("session_confirm")
    async def on_session(data: Any) -> None:
        if not session.done():
            session.set_result(data if isinstance(data, str) else data["session_id"])

    await client.connect(
        url,
        transports=["websocket"],
        socketio_path="socket.io",
        headers={"Origin": ORIGIN},
        wait_timeout=10,
    )
    turns: list[Turn] = []
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(session, TURN_TIMEOUT_S)
        for number, text in enumerate(script):
            if number and think_s:
                await asyncio.sleep(think_s)  # a resident reading the answer
            sent = time.perf_counter()
            await client.emit("user_uttered", {"message": text, "session_id": session_id})
            try:
                first = await asyncio.wait_for(inbox.get(), TURN_TIMEOUT_S)
            except TimeoutError:
                turns.append(Turn(None, None, 0))
                continue
            last, count = first, 1
            while True:
                try:
                    last = await asyncio.wait_for(inbox.get(), QUIET_S)
                    count += 1
                except TimeoutError:
                    break
            turns.append(Turn((first - sent) * 1000, (last - sent) * 1000, count))
    finally:
        await client.disconnect()
    return turns


async def visitor(
    url: str, index: int, conversations: int, think_s: float, delay_s: float = 0.0
) -> tuple[list[Turn], dict[str, int]]:
    """One concurrent client holding ``conversations`` conversations one after another."""
    await asyncio.sleep(delay_s)
    turns: list[Turn] = []
    errors: dict[str, int] = {}
    for number in range(conversations):
        script = CONVERSATIONS[(index + number) % len(CONVERSATIONS)]
        try:
            turns.extend(await conversation(url, script, think_s))
        except Exception as exc:  # a failed connection is a result, not a crash
            kind = type(exc).__name__
            errors[kind] = errors.get(kind, 0) + 1
            turns.extend(Turn(None, None, 0) for _ in script)
    return turns, errors


async def run_level(url: str, clients: int, conversations: int, think_s: float, ramp_s: float) -> LevelResult:
    """Run ``clients`` visitors at once (their starts spread over ``ramp_s``) and summarise."""
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(visitor(url, i, conversations, think_s, ramp_s * i / clients) for i in range(clients))
    )
    wall = time.perf_counter() - started
    turns = [t for result, _ in outcomes for t in result]
    error_kinds: dict[str, int] = {}
    for _, errors in outcomes:
        for kind, count in errors.items():
            error_kinds[kind] = error_kinds.get(kind, 0) + count
    firsts = [t.first_ms for t in turns if t.first_ms is not None]
    lasts = [t.last_ms for t in turns if t.last_ms is not None]
    timeouts = sum(1 for t in turns if t.first_ms is None)
    if timeouts:
        error_kinds["no_reply_or_not_sent"] = timeouts
    result = LevelResult(
        clients=clients,
        conversations=clients * conversations,
        turns=len(turns),
        ok=len(firsts),
        errors=timeouts,
        error_kinds=error_kinds,
        wall_s=round(wall, 2),
        turns_per_s=round(len(firsts) / wall, 1) if wall else 0.0,
    )
    if firsts:
        result.p50_ms = round(percentile(firsts, 50), 1)
        result.p95_ms = round(percentile(firsts, 95), 1)
        result.p99_ms = round(percentile(firsts, 99), 1)
        result.mean_ms = round(statistics.fmean(firsts), 1)
        result.max_ms = round(max(firsts), 1)
        result.last_message_p95_ms = round(percentile(lasts, 95), 1)
    return result


async def bench(
    url: str, levels: list[int], conversations: int, think_s: float, ramp_s: float
) -> list[LevelResult]:
    """Warm up (the first prediction builds the TF graph), then measure each level."""
    await visitor(url, 0, 1, 0.0)
    return [await run_level(url, c, conversations, think_s, ramp_s) for c in levels]


def start_stack() -> tuple[subprocess.Popen[str], str]:
    """Start ``make -s serve-test-stack`` and return it with its Rasa URL."""
    process = start(["make", "-s", "serve-test-stack"], stdout=subprocess.PIPE, text=True)
    info = read_stack_info(process, STACK_START_TIMEOUT_S)
    if info is None:
        stop(process)
        raise SystemExit("bench-socketio: make serve-test-stack printed no URL line")
    return process, str(info["rasa_url"]).rstrip("/")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the JSON report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rasa-url", default=os.environ.get("WEGWIJZER_RASA_URL"))
    parser.add_argument("--levels", default="10,50", help="comma list of concurrent clients")
    parser.add_argument("--conversations", type=int, default=2, help="per client and level")
    parser.add_argument(
        "--think-s",
        type=float,
        default=0.0,
        help="pause between a turn's last message and the next question (0: back to back)",
    )
    parser.add_argument("--ramp-s", type=float, default=0.0, help="spread the clients' starts over this time")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench-socketio.json")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",") if level.strip()]
    process = None
    url = args.rasa_url
    if not url:
        process, url = start_stack()
    try:
        results = asyncio.run(bench(url, levels, args.conversations, args.think_s, args.ramp_s))
    finally:
        if process is not None:
            stop(process)
    at_goal = next((r for r in results if r.clients == GOAL_CLIENTS), None)
    report = {
        "benchmark": "socket.io end-to-end latency (emit user_uttered -> first bot_uttered)",
        "measured_at": datetime.now(tz=timezone.utc).isoformat(timespec="seconds"),
        "rasa_url": url,
        "stack": "external" if args.rasa_url else "make serve-test-stack",
        "cpus": os.cpu_count(),
        "turns_per_conversation": len(CONVERSATIONS[0]),
        "transport": "websocket",
        "think_s": args.think_s,
        "ramp_s": args.ramp_s,
        "conversations_per_client": args.conversations,
        "levels": [asdict(r) for r in results],
        "goal": {
            "p95_ms_max": GOAL_P95_MS,
            "clients": GOAL_CLIENTS,
            "met": bool(at_goal and at_goal.errors == 0 and (at_goal.p95_ms or 1e9) <= GOAL_P95_MS),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for r in results:
        sys.stdout.write(
            f"{r.clients:>3} clients: {r.ok}/{r.turns} turns answered, p50 {r.p50_ms} ms, "
            f"p95 {r.p95_ms} ms, p99 {r.p99_ms} ms, {r.turns_per_s} turns/s\n"
        )
    sys.stdout.write(f"goal p95 <= {GOAL_P95_MS:.0f} ms at {GOAL_CLIENTS}: {report['goal']}\n")
    sys.stdout.write(f"wrote {args.out}\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
