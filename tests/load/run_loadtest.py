"""`make loadtest`: Locust, headless, at 10, 50 and 100 concurrent conversations, with one and two Rasa workers.

Configurations (each gets a fresh stack from scripts/stack.py):
- ``1 worker``: as `make run` starts Rasa (in-memory tracker and lock store).
- ``2 workers``: ``SANIC_WORKERS=2``, which Rasa allows only with a shared lock store; the tracker
  store must be shared too, or a conversation loses its context when a turn lands on the other
  worker. Both are a private Redis (redis-server from Debian) here.
Half the simulated conversations use the REST channel, half socket.io (tests/load/locustfile.py).
Writes results/loadtest.json and prints a Markdown table for RELIABILITY.md.

Usage: python -m tests.load.run_loadtest [--levels 10,50,100] [--workers 1,2] [--duration 40]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from scripts import stack as stack_script
from tests.faults.fault_support import RedisServer, free_port, temp_dir

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


LOCUST = ROOT / ".venv-app" / "bin" / "locust"
GOAL_P95_MS = 300
GOAL_USERS = 50


def redis_endpoints(directory: Path, port: int) -> Path:
    """Endpoints for several workers: Redis tracker store (28-day expiry) and Redis lock store."""
    text = f"""action_endpoint:
  url: ${{ACTION_SERVER_URL}}
tracker_store:
  type: redis
  url: 127.0.0.1
  port: {port}
  db: 0
  key_prefix: wegwijzer
  record_exp: 2419200
lock_store:
  type: redis
  url: 127.0.0.1
  port: {port}
  db: 1
  key_prefix: wegwijzer
"""
    path = directory / "endpoints.redis.yml"
    path.write_text(text, encoding="utf-8")
    return path


def warm_up(rasa_url: str) -> None:
    """The first predictions build the TensorFlow graph; keep them out of the figures."""
    with httpx.Client(timeout=60) as http:
        for index in range(20):
            body = {"sender": f"warm-{index % 4}", "message": "Hallo"}
            http.post(f"{rasa_url}/webhooks/rest/webhook", json=body)


def run_locust(rasa_url: str, users: int, duration: int, prefix: Path) -> dict[str, Any]:
    """One headless Locust run; returns p50/p95/p99, counts and errors per request name."""
    argv = [
        str(LOCUST), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users), "-r", str(users),
        "-t", f"{duration}s", "--host", rasa_url, "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(argv, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures: dict[str, Any] = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            figures[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
    return figures


def run_configuration(workers: int, levels: list[int], duration: int, out_dir: Path) -> dict[str, Any]:
    """Start a stack for ``workers`` Rasa workers and measure every level."""
    redis = None
    env = {"SANIC_WORKERS": str(workers)}
    endpoints = "endpoints.yml"
    if workers > 1:
        redis = RedisServer(free_port()).start()
        endpoints = str(redis_endpoints(temp_dir("wegwijzer-load-"), redis.port))
    stack = stack_script.start_custom_stack(extra_env=env, endpoints=endpoints)
    results: dict[str, Any] = {"workers": workers, "endpoints": "redis" if redis else "in-memory", "levels": {}}
    try:
        warm_up(stack.rasa_url)
        for users in levels:
            load_before = os.getloadavg()[0]
            figures = run_locust(stack.rasa_url, users, duration, out_dir / f"w{workers}-u{users}")
            results["levels"][str(users)] = {"load_avg_before": round(load_before, 2), **figures}
            print(f"workers={workers} users={users}: {json.dumps(figures)}", flush=True)
    finally:
        stack.stop_all()
        if redis is not None:
            redis.stop()
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    """A table for RELIABILITY.md."""
    lines = [
        "| Rasa workers | Conversations | Channel | Turns | Errors | p50 ms | p95 ms | p99 ms | Turns/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for config in results:
        for users, figures in config["levels"].items():
            for name in ("rest turn", "socket turn"):
                f = figures.get(name)
                if not f:
                    continue
                lines.append(
                    f"| {config['workers']} | {users} | {name.split()[0]} | {f['requests']} | {f['failures']} "
                    f"| {f['p50_ms']:.0f} | {f['p95_ms']:.0f} | {f['p99_ms']:.0f} | {f['rps']} |"
                )
    return "\n".join(lines)


def main() -> int:
    """Run every configuration; exit 1 when the 50-conversation p95 goal is missed with one worker."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="10,50,100")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--duration", type=int, default=40)
    parser.add_argument("--out", default="results/loadtest.json")
    args = parser.parse_args()
    levels = [int(v) for v in args.levels.split(",")]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_dir = out.parent / "loadtest-csv"
    csv_dir.mkdir(exist_ok=True)
    started = time.time()
    results = [run_configuration(int(w), levels, args.duration, csv_dir) for w in args.workers.split(",")]
    report: dict[str, Any] = {"started": started, "duration_s_per_level": args.duration, "cpus": os.cpu_count()}
    report["runs"] = results
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    goal = results[0]["levels"].get(str(GOAL_USERS), {})
    missed = [name for name, f in goal.items() if isinstance(f, dict) and f["p95_ms"] > GOAL_P95_MS]
    if missed:
        print(f"goal missed: p95 > {GOAL_P95_MS} ms at {GOAL_USERS} conversations for {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
