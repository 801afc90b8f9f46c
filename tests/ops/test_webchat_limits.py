"""A flooding web-chat client beside a resident's normal conversation, against the real Rasa and action server.

nginx's rate limit counts only the websocket handshake; after it every frame reaches Rasa. The limits of
``bot/connectors/limits.py`` (here with their defaults) must keep Rasa responsive for everyone else: the
resident's reply latency during the flood is compared with a baseline measured in the same run, the flooder must
get the Dutch limit texts, and nothing the limits refused may be stored in a tracker.

The flooder runs in its own process (``tests/ops/webchat_flood.py``). Both clients connect from 127.0.0.1,
which this stack trusts as its proxy; each sends its own ``X-Forwarded-For``, as nginx would, so they are
counted under different addresses. scripts/stack.py lifts the rates for the other stack tests; this one sets
them back to the defaults (empty values).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ci_support import require_module

require_module("socketio", "python-socketio is needed (app environment)")
# python-engineio's websocket client needs aiohttp >= 3.10; the Rasa environment pins 3.9.
require_module("aiohttp", "APP ENVIRONMENT NEEDED: run with .venv-app/bin/python", minversion="3.10")

from bot.connectors.limits import TOO_FAST, TOO_LONG, WebchatLimits  # noqa: E402
from scripts import stack as stack_script  # noqa: E402
from shared.messages import load_fixed_texts  # noqa: E402
from tests.ops.ops_support import require_trained_model, tracker_events  # noqa: E402
from tests.ops.webchat_flood import (  # noqa: E402
    BIG_METADATA,
    BIG_METADATA_MARK,
    ORIGIN,
    SPOOFED_METADATA,
    TOO_LONG_TEXT,
    Client,
)

REPO = Path(__file__).resolve().parents[2]
TRACKER_TOKEN = "webchat-limits-test-token"
RESIDENT_ADDRESS = "198.51.100.10"
FIRST_ANSWER_S = 120.0  # the first turn after start-up loads lazily
ANSWER_S = 60.0
QUESTIONS = (
    "Hoe vraag ik een DigiD aan?",
    "Ik wil hulp met toeslagen",
    "Waar kan ik leren werken met een computer?",
    "Hoe maak ik een afspraak bij de gemeente?",
)
DEFAULTS = WebchatLimits()
# A resident's pace: slower than the per-socket refill (one message every 3 s by default), as people type.
PACE_S = 60.0 / DEFAULTS.per_socket.per_minute + 0.5


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    module = stack_script
    require_trained_model()
    defaults = dict.fromkeys(module.LIFTED_RATES, "")  # empty = the limits' own defaults
    running = module.start_custom_stack(
        extra_env={**defaults, "WEBCHAT_ALLOWED_ORIGINS": ORIGIN, "WEBCHAT_TRUSTED_PROXIES": "127.0.0.1"},
        rasa_args=("--enable-api", "--auth-token", TRACKER_TOKEN),
    )
    yield running
    running.stop_all()


def user_events(stack: Any, session_id: str) -> list[dict[str, Any]]:
    """The user events stored in the tracker of this session (its sender id is the part before the dot)."""
    events = tracker_events(stack.rasa_url, session_id.split(".", 1)[0], TRACKER_TOKEN, timeout=60)
    return [event for event in events if event.get("event") == "user"]


async def conversation(resident: Client) -> list[float]:
    """The questions at a resident's pace; the reply latency of each."""
    latencies = []
    for question in QUESTIONS:
        started = time.monotonic()
        latencies.append(await resident.turn(question, ANSWER_S))
        await asyncio.sleep(max(0.0, PACE_S - (time.monotonic() - started)))
    return latencies


def start_flooder(url: str, out: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ops.webchat_flood", url, str(out)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "flooding"
    return process


def stop_flooder(process: subprocess.Popen[str], out: Path) -> dict[str, Any]:
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


async def test_a_flooding_client_gets_the_limit_texts_and_does_not_slow_down_a_resident(
    stack: Any, tmp_path: Path
) -> None:
    texts = load_fixed_texts()
    resident = await Client(stack.rasa_url, RESIDENT_ADDRESS).open()
    try:
        await resident.turn("hallo", timeout=FIRST_ANSWER_S)  # warm-up: loads the model's lazy parts
        baseline = await conversation(resident)

        out = tmp_path / "flood.json"
        flooder = await asyncio.to_thread(start_flooder, stack.rasa_url, out)
        started = time.monotonic()
        try:
            await asyncio.sleep(1.0)  # the flood is under way before the resident speaks
            during = await conversation(resident)
            flood_s = time.monotonic() - started
        finally:
            flood = await asyncio.to_thread(stop_flooder, flooder, out)
        await asyncio.sleep(3.0)  # turns the limits admitted finish and are stored
    finally:
        await resident.close()

    stored = [event for session in flood["sessions"] for event in user_events(stack, session)]
    stored_texts = [str(event.get("text")) for event in stored]
    base, loaded = statistics.median(baseline), statistics.median(during)
    report = (
        f"baseline {[round(x, 2) for x in baseline]} s, during the flood {[round(x, 2) for x in during]} s; "
        f"flood: {flood['sent']} frames in {flood_s:.1f} s on {len(flood['sessions'])} sockets "
        f"({flood['disconnects']} disconnected, {flood['refused_connects']} connections refused), "
        f"{len(flood['heard'])} texts heard, {len(stored)} messages stored"
    )
    print(report)

    # The resident stays responsive: generous, relative to the baseline of this same run on this machine. The
    # median is the claim; the single slowest turn may meet the burst the limits admit by design (without the
    # limits the resident's turn timed out after 60 s).
    assert loaded <= max(3 * base, base + 1.0), report
    assert max(during) <= base + 10.0, report
    # The flooder is told, in Dutch, at most once per interval per socket (not once per frame).
    assert texts.get(TOO_FAST) in flood["heard"], report
    assert texts.get(TOO_LONG) in flood["heard"], report
    assert len(flood["heard"]) < flood["sent"] / 10, report
    # Only what the rates admitted reached Rasa: the address's burst plus its refill during the flood (a new
    # socket takes a token too, so this bound is loose).
    rate = DEFAULTS.per_address
    admitted_at_most = rate.burst + rate.per_minute * (flood_s + 3.0) / 60.0
    attempts = flood["sent"] + flood["refused_connects"]
    assert attempts > 20 * admitted_at_most, f"the flood was too slow to prove anything: {report}"
    assert len(stored) <= admitted_at_most, report
    # Nothing refused for its size is stored, and no metadata off the allow-list.
    assert TOO_LONG_TEXT not in stored_texts
    assert not any(BIG_METADATA_MARK in text for text in stored_texts), "oversize metadata was stored"
    sent_keys = set(SPOOFED_METADATA) | set(BIG_METADATA)  # Rasa adds model_id and assistant_id itself
    stored_keys = {key for event in stored for key in event.get("metadata") or {}}
    assert not sent_keys & stored_keys, f"metadata off the allow-list was stored: {stored_keys}"
    assert flood["oversize_closed"], "an oversize frame must close its socket"
    assert user_events(stack, flood["oversize_session"]) == []
    # The resident's own conversation is complete.
    resident_texts = [event.get("text") for event in user_events(stack, resident.session_id)]
    assert resident_texts == ["hallo", *QUESTIONS, *QUESTIONS]
