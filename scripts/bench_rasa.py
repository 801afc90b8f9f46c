"""Measures the bot on this machine: training time, Rasa start-up time and memory, and REST-webhook latency and
throughput, one conversation at a time and with 10 concurrent conversations of 6 turns each.

Writes a JSON report (--out) and prints a table; BENCHMARKS.md records the numbers. Nothing here asserts:
targets are reported, not enforced.
Usage: python -m scripts.bench_rasa --out results/bench-rasa.json [--skip-training] [--conversations 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = [
    ["hallo", "ik ben mijn digid wachtwoord vergeten", "zeg het simpeler", "waar kan ik hulp krijgen",
     "Kerkrade", "bedankt"],
    ["hoe vraag ik zorgtoeslag aan", "/simpler", "/affirm", "waar is het informatiepunt", "Bocholtz", "doei"],
    ["ik woon in eygelshoven, wanneer is het e-cafe", "wat kost het", "ik kreeg een rare sms van de bank",
     "/deny", "ik wil een mens spreken", "dank u wel"],
    ["ben jij een robot?", "wat is chatgpt", "zeg het simpeler", "hoe zie ik of nieuws nep is", "/affirm",
     "tot ziens"],
]  # fmt: skip


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_training() -> float:
    """Seconds for a forced full training run into a temporary folder."""
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run(
            [str(ROOT / ".venv-rasa/bin/rasa"), "train", "--force", "--out", out, "--quiet"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        return time.monotonic() - started


async def conversation(client: httpx.AsyncClient, script: list[str], latencies: list[float]) -> int:
    """Run one 6-turn conversation; return the number of failed turns."""
    sender = f"bench-{uuid.uuid4().hex}"
    failures = 0
    for message in script:
        started = time.perf_counter()
        reply = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
        latencies.append((time.perf_counter() - started) * 1000)
        if reply.status_code != 200 or not reply.json():
            failures += 1
    return failures


async def load(base_url: str, conversations: int, concurrency: int) -> dict[str, float]:
    """Run ``conversations`` conversations, ``concurrency`` at a time; latency in ms, throughput in msg/s."""
    latencies: list[float] = []
    queue: asyncio.Queue[list[str]] = asyncio.Queue()
    for index in range(conversations):
        queue.put_nowait(SCRIPTS[index % len(SCRIPTS)])
    failures = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            failures += await conversation(client, queue.get_nowait(), latencies)

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "messages": len(latencies),
        "failed_turns": failures,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1),
        "messages_per_second": round(len(latencies) / elapsed, 1),
    }


def main() -> None:
    """Run the benchmark and write the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench-rasa.json")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--conversations", type=int, default=60)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.skip_training:
        report["training_seconds"] = round(measure_training(), 1)
    from scripts.stack import start_stack

    stack = start_stack()
    try:
        report["startup_seconds"] = {k: round(v, 1) for k, v in stack.startup_seconds.items()}
        asyncio.run(load(stack.rasa_url, 8, 1))  # warm-up: the first predictions build the TF graph
        report["one_at_a_time"] = asyncio.run(load(stack.rasa_url, args.conversations, 1))
        report["ten_concurrent"] = asyncio.run(load(stack.rasa_url, args.conversations, 10))
        report["rss_mb"] = {name: round(rss_mb(proc.pid), 0) for name, proc in stack.processes.items()}
    finally:
        stack.stop_all()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
