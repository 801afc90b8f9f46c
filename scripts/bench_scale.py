"""Scale-out measured: one vs two Rasa instances on the production endpoints (issue 15, item 4).

Production endpoints: ``endpoints.sql.yml`` (PostgreSQL tracker store, Redis lock store), shared by both
instances, as in `make scale-test`. PostgreSQL is a throwaway cluster (scripts/pg_cluster.py), Redis a throwaway
Debian redis-server (tests/ops/ops_support.py ``redis_argv``), one action server for both instances.

Both Rasa instances are started once and stay up; each load level runs twice, alternating the order from level
to level: "1 instance" sends every turn to the first instance (the second idles), "2 instances" routes each
conversation by its sender id (CRC32 of the sender id modulo 2, in the load generator itself, so no proxy
process takes CPU). The load is the closed loop of scripts/bench_compare.py: 6-turn Wegwijzer conversations over
the REST webhook, each worker sending the next turn when the answer has arrived (plus the think time).

Reports per level and configuration: turns/s, p50/p95/p99, errors, the machine's busy CPU (all processes,
both cores), the CPU of the load generator, and the load average. The machine has 2 cores: each Rasa wants one,
and the action server, PostgreSQL, Redis and the load generator share the same two, so the gain of the second
instance is bounded by what is left of the second core.

Writes JSON (--out) and prints a Markdown table. Nothing asserts.
Usage: python -m scripts.bench_scale [--seconds 20] [--levels 10:0,50:0,50:2] [--out results/bench-scale.json]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import psutil

from scripts.bench_compare import generator_cpu_seconds, timed_turn, turn_figures, write_report
from scripts.bench_rasa import SCRIPTS
from scripts.pg_cluster import PgCluster
from scripts.results import markdown_table
from scripts.stack import (
    START_TIMEOUT,
    Stack,
    free_port,
    make_stack,
    production_stores_env,
    rasa_command,
    wait_http,
)
from tests.ops.ops_support import redis_argv, redis_ping, wait_until

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "tracker_bench_scale"
ENDPOINTS = "endpoints.sql.yml"


def route(sender: str, urls: list[str]) -> str:
    """The instance of a conversation: CRC32 of its sender id modulo the number of instances."""
    return urls[zlib.crc32(sender.encode()) % len(urls)]


async def run_level(urls: list[str], concurrency: int, think_s: float, seconds: float) -> dict[str, Any]:
    """Closed loop over ``urls``: ``concurrency`` workers running conversations back to back for ``seconds``."""
    latencies: list[float] = []
    errors = {"http": 0, "empty": 0, "exception": 0}
    per_instance = dict.fromkeys(urls, 0)
    limits = httpx.Limits(max_connections=concurrency * len(urls), max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker(index: int) -> None:
            if think_s:
                await asyncio.sleep(think_s * index / concurrency)
            number = index
            while time.perf_counter() < deadline:
                script = SCRIPTS[number % len(SCRIPTS)]
                number += concurrency
                sender = f"scale-{uuid.uuid4().hex}"
                url = route(sender, urls)
                for message in script:
                    if time.perf_counter() >= deadline:
                        return
                    if not await timed_turn(client, url, sender, message, latencies, errors):
                        continue
                    per_instance[url] += 1
                    if think_s:
                        await asyncio.sleep(max(0.0, min(think_s, deadline - time.perf_counter())))

        psutil.cpu_percent(percpu=False)  # start the machine-wide CPU interval
        cpu_gen = generator_cpu_seconds()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
        machine_busy = psutil.cpu_percent(percpu=False)
        cpu_gen = generator_cpu_seconds() - cpu_gen
    return {
        "instances": len(urls),
        "turns": len(latencies),
        "turns_per_instance": list(per_instance.values()),
        **turn_figures(latencies, elapsed, errors),
        "machine_cpu_busy_percent_of_2_cores": machine_busy,
        "generator_cpu_percent_of_one_core": round(100 * cpu_gen / elapsed, 1),
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }


def start(pg: PgCluster) -> tuple[Stack, list[str]]:
    """Redis, the action server and two Rasa instances on the shared PostgreSQL database."""
    redis_port = free_port()
    stack = make_stack(extra_env=production_stores_env(pg.port, DATABASE, redis_port))
    try:
        stack.start_process("redis", redis_argv(redis_port))
        if not wait_until(lambda: redis_ping(redis_port), 20):
            raise RuntimeError("redis-server did not answer PING")
        stack.start_actions()
        ports = [free_port(), free_port()]
        for index, port in enumerate(ports):
            stack.start_process(f"rasa{index}", rasa_command(port, ENDPOINTS))
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for index, url in enumerate(urls):
            wait_http(f"{url}/webhooks/rest/", START_TIMEOUT, stack.processes[f"rasa{index}"])
    except Exception:
        logs = "\n".join(f"--- {n}\n{stack.log(n)}" for n in ("redis", "actions", "rasa0", "rasa1"))
        stack.stop_all()
        raise RuntimeError(f"the scale-out stack did not start:\n{logs}") from None
    return stack, urls


def markdown(report: dict[str, Any]) -> str:
    """The table for BENCHMARKS.md."""
    headers = ["conversations", "think", "Rasa instances", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors",
               "machine CPU busy %", "generator CPU %", "gain turns/s"]  # fmt: skip
    rows = []
    for level in report["levels"]:
        for key in ("one", "two"):
            r = level[key]
            gain = level["gain_turns_per_second"] if key == "two" else ""
            rows.append([
                level["concurrency"], f"{level['think_s']:g} s", r["instances"], r["turns_per_second"],
                r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"], r["machine_cpu_busy_percent_of_2_cores"],
                r["generator_cpu_percent_of_one_core"], gain,
            ])  # fmt: skip
    lines = markdown_table(headers, rows)
    return "\n".join(lines)


def main() -> None:
    """Start the stack, run every level with one and with two instances, write the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench-scale.json")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level and configuration")
    parser.add_argument(
        "--levels", default="10:0,50:0,50:2", help="concurrent conversations:think seconds, comma-separated"
    )
    args = parser.parse_args()
    plan = [(int(c), float(t)) for c, t in (x.split(":") for x in args.levels.split(","))]
    report: dict[str, Any] = {
        "started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in os.getloadavg()]},
        "endpoints": f"{ENDPOINTS}: PostgreSQL tracker store, Redis lock store (shared by both instances)",
        "routing": "by sender id in the load generator (CRC32 modulo the number of instances); no proxy",
        "load": "closed loop, 6-turn Wegwijzer conversations (scripts/bench_rasa.py), REST webhook",
        "seconds_per_level_and_configuration": args.seconds,
    }
    pg = PgCluster().start()
    stack: Stack | None = None
    try:
        pg.create_database(DATABASE)
        print("starting Redis, the action server and two Rasa instances (endpoints.sql.yml) ...", flush=True)
        started = time.monotonic()
        stack, urls = start(pg)
        report["startup_seconds"] = round(time.monotonic() - started, 1)
        for url in urls:  # warm-up: the first predictions build the model graph of each instance
            asyncio.run(run_level([url], 2, 0.0, 5.0))
        levels: list[dict[str, Any]] = []
        order = ["one", "two"]
        for concurrency, think in plan:
            level: dict[str, Any] = {"concurrency": concurrency, "think_s": think, "order": list(order)}
            for key in order:
                print(f"  {concurrency:>3} conversations, think {think:g} s, {key} instance(s) ...", flush=True)
                level[key] = asyncio.run(run_level(urls[:1] if key == "one" else urls, concurrency, think,
                                                   args.seconds))  # fmt: skip
            one, two = level["one"]["turns_per_second"], level["two"]["turns_per_second"]
            level["gain_turns_per_second"] = round(two / one, 2) if one else None
            levels.append(level)
            order.reverse()
        report["levels"] = levels
    finally:
        if stack is not None:
            stack.stop_all()
        pg.stop()
    write_report(report, args.out, markdown(report))


if __name__ == "__main__":
    main()
