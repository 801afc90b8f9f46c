"""Benchmark of the statistics API: ingest throughput (single events and batches of 500, over
HTTP to a real uvicorn process) and statistics latency over a database of N events (default one
million), on SQLite and on a throwaway PostgreSQL. Writes JSON and prints a table.

Events beyond those sent over HTTP are loaded with api.service.record_events, the same code the
endpoint runs, without the HTTP hop, so that a million events load in minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from api import db
from api.schemas import EventIn
from api.service import record_events
from api.vocabulary import current_vocabulary
from scripts import pg_cluster

REPO_ROOT = Path(__file__).resolve().parent.parent


KIND_WEIGHTS = {
    "conversation_started": 20,
    "answered": 45,
    "referred": 12,
    "handoff_requested": 3,
    "feedback": 10,
    "not_understood": 10,
}
CHANNEL_WEIGHTS = {"web": 50, "telegram": 20, "whatsapp": 20, "staff": 7, "rest": 3}


class EventMaker:
    """Plausible random events (topics skewed, as real questions are), one day per batch."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        vocabulary = current_vocabulary()
        self.topics = sorted(vocabulary.topics)
        self.targets = sorted(vocabulary.targets)
        self.gemeenten: list[str | None] = [*vocabulary.gemeenten, None]
        self.topic_weights = [1 / (rank + 1) for rank in range(len(self.topics))]

    def one(self, day: dt.date | None = None) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        topic = None
        if kind in ("answered", "referred", "feedback", "handoff_requested"):
            topic = rng.choices(self.topics, weights=self.topic_weights)[0]
        event: dict[str, Any] = {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "day": (day or self.today - dt.timedelta(days=rng.randrange(3))).isoformat(),
            "kind": kind,
            "topic": topic,
            "target": rng.choice(self.targets) if kind == "referred" else None,
            "gemeente": rng.choice(self.gemeenten),
            "channel": rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0],
        }
        if kind == "feedback":
            event["helpful"] = rng.random() < 0.7
        return event

    def many(self, n: int, day: dt.date | None = None) -> list[dict[str, Any]]:
        """``n`` events of one day (default: one of the last three days, like a relay batch)."""
        return [self.one(day) for _ in range(n)]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Server:
    """uvicorn serving the API in its own process."""

    def __init__(self, database_url: str, workers_log: Path) -> None:
        self.port = _free_port()
        self.ingest_key = "bench-" + secrets.token_hex(16)
        self.read_key = "bench-" + secrets.token_hex(16)
        # Not the API_* values `make` exports from .env.example (placeholders): this API is the benchmark's own.
        env = {
            **{name: value for name, value in os.environ.items() if not name.startswith("API_")},
            "PYTHONPATH": str(REPO_ROOT),
            "APP_ENV": "test",
            "API_DATABASE_URL": database_url,
            "API_AUTO_MIGRATE": "false",
            "API_INGEST_KEY": self.ingest_key,
            "API_READ_KEY": self.read_key,
            "API_WARM_RELEASES": "false",  # the cold request is measured on its own below
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
            "--no-access-log",
        ]  # fmt: skip
        self.log = workers_log.open("ab")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("API did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ingest(server: Server, batches: list[list[dict[str, Any]] | dict[str, Any]], clients: int) -> float:
    def send(chunk: list[Any]) -> None:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": server.ingest_key}, timeout=30) as client:
            for body in chunk:
                response = client.post("/api/v1/events", json=body)
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"ingest failed: {response.status_code} {response.text[:200]}")

    chunks = [batches[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, chunks))
    return time.perf_counter() - start


def _direct_load(database_url: str, maker: EventMaker, n: int) -> float:
    engine = db.make_engine(database_url)
    sessions = db.make_sessionmaker(engine)
    start = time.perf_counter()
    done = 0
    per_day = max(1, n // 365)
    while done < n:
        size = min(500, n - done)
        # chronological, as the relay delivers them: the year is filled day by day
        day = maker.today - dt.timedelta(days=max(0, 364 - done // per_day))
        events = [EventIn.model_validate(item) for item in maker.many(size, day)]
        with db.transaction(sessions) as session:
            record_events(session, events, "bench")
        done += size
        if done % 100_000 == 0:
            print(f"    loaded {done:,} events", flush=True)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def _stats_latency(server: Server, requests: int, today: dt.date, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    timings: list[float] = []
    with httpx.Client(base_url=server.url, headers={"X-API-Key": server.read_key}, timeout=900) as client:
        # Cold: the first request for a year computes and stores the release of every settled period in it
        # (api/release.py); every later request reads the stored releases.
        cold: dict[str, float] = {}
        for period in ("week", "month"):
            start = time.perf_counter()
            first = (today - dt.timedelta(days=365)).isoformat()
            params = {"from": first, "to": today.isoformat(), "period": period, "by": "kind"}
            client.get("/api/v1/stats", params=params).raise_for_status()
            cold[period] = round(time.perf_counter() - start, 1)
        print(f"    releases computed and stored: a year by week {cold['week']} s, by month {cold['month']} s")
        for index in range(requests):
            period = rng.choice(["week", "month"])
            span = rng.choice([84, 182, 365])
            params = {
                "from": (today - dt.timedelta(days=span)).isoformat(),
                "to": today.isoformat(),
                "period": period,
                "by": rng.choice(["topic", "target", "gemeente", "channel", "kind"]),
            }
            if rng.random() < 0.6:
                params["kind"] = rng.choice(list(KIND_WEIGHTS))
            path = "/api/v1/stats.csv" if index % 4 == 3 else "/api/v1/stats"
            start = time.perf_counter()
            response = client.get(path, params=params)
            timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"stats failed: {response.status_code} {response.text[:200]}")
    return {
        "requests": requests,
        "p50_ms": round(_percentile(timings, 0.50), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "p99_ms": round(_percentile(timings, 0.99), 2),
        "mean_ms": round(statistics.fmean(timings), 2),
        "cold_year_by_week_s": cold["week"],
        "cold_year_by_month_s": cold["month"],
    }


def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    cluster = None
    if backend == "sqlite":
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        cluster = pg_cluster.PgCluster(durable=True).start()
        database_url = cluster.create_database("bench")
    try:
        db.upgrade(database_url)
        today = dt.date.today()
        maker = EventMaker(seed=42, today=today)
        server = Server(database_url, workdir / f"{backend}-api.log")
        try:
            print(f"  {backend}: single-event ingest ({args.single:,} requests)", flush=True)
            singles: list[Any] = maker.many(args.single)
            single_seconds = _ingest(server, singles, clients=args.clients)
            batches: list[Any] = [maker.many(500) for _ in range(args.batched // 500)]
            print(f"  {backend}: batched ingest ({len(batches) * 500:,} events)", flush=True)
            batch_seconds = _ingest(server, batches, clients=args.clients)
            sent = args.single + len(batches) * 500
            rest = max(0, args.events - sent)
            print(f"  {backend}: loading {rest:,} more events directly", flush=True)
            load_seconds = _direct_load(database_url, maker, rest)
            print(f"  {backend}: statistics latency ({args.stats_requests} requests)", flush=True)
            _stats_latency(server, 20, today, seed=1)  # warm-up
            latency = _stats_latency(server, args.stats_requests, today, seed=2)
        finally:
            server.stop()
    finally:
        if cluster is not None:
            cluster.stop()
    return {
        "backend": backend,
        "events_total": sent + rest,
        "ingest_single_events_per_s": round(args.single / single_seconds, 1),
        "ingest_batched_events_per_s": round(len(batches) * 500 / batch_seconds, 1),
        "direct_load_events_per_s": round(rest / load_seconds, 1) if rest else None,
        "http_clients": args.clients,
        "stats": latency,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument("--batched", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--stats-requests", type=int, default=200)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "bench-api.json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="wegwijzer-bench-") as tmp:
        for backend in args.backends.split(","):
            results.append(run_backend(backend.strip(), args, Path(tmp)))
    report = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "goals": {"ingest_batched_events_per_s_sqlite": 5000, "stats_p95_ms": 100},
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    header = (
        f"{'backend':<11}{'events':>11}{'single ev/s':>13}{'batch ev/s':>12}"
        f"{'stats p50':>11}{'p95':>9}{'p99':>9}"
    )
    print(header)
    for row in results:
        s = row["stats"]
        print(
            f"{row['backend']:<11}{row['events_total']:>11,}{row['ingest_single_events_per_s']:>13,.0f}"
            f"{row['ingest_batched_events_per_s']:>12,.0f}{s['p50_ms']:>9.1f}ms{s['p95_ms']:>7.1f}ms"
            f"{s['p99_ms']:>7.1f}ms"
        )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
