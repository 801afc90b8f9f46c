"""Wegwijzer side by side with Rasa's own starter bot (`rasa init`), same machine, same load, one run.

What it does (issue 15, item 1):
1. Builds the starter bot in a temporary folder with the Rasa of ``.venv-rasa`` (exactly Rasa 3.6.21, the
   version Wegwijzer runs): ``rasa init --no-prompt`` writes the project with its default config (empty
   pipeline and policies, so Rasa's defaults: DIET, ResponseSelector, TED, UnexpecTED, Memoization, Rule)
   and trains it.
   The starter's stories and rules use only responses (``utter_*``) and its endpoints have no action endpoint,
   so it runs without an action server; the script checks both and stops if that ever changes.
2. Starts Wegwijzer (Rasa + action server, ``scripts/stack.py``) and the starter bot beside it, on free ports.
3. Runs the same closed-loop load against both over the REST webhook, alternating bot by bot at each level
   (the order is swapped from level to level): 1, 10 and 50 concurrent conversations, without think time and
   with 2 s between turns. Each worker runs 6-turn conversations and sends the next turn when the answer has
   arrived (plus the think time). With think time the workers start spread over one think interval so they
   do not all send in the same instant. Each bot gets turns that make sense to it: Wegwijzer the Dutch
   resident questions of ``scripts/bench_rasa.py``, the starter bot its own greet/mood/bot-challenge intents.
4. Reports per level and bot: p50/p95/p99 latency, turns/s, errors (HTTP error, no answer, or no reply at
   all), the Rasa processes' CPU per turn, the load generator's own CPU (it shares the cores), the ratio
   Wegwijzer/starter, and the peak resident memory of every process; then the goals of issue 15, item 2.

Writes JSON (--out) and prints a Markdown table. Nothing asserts: goals are reported, not enforced.
Usage: python -m scripts.bench_compare [--seconds 20] [--levels 1,10,50] [--think 2]
       [--out results/bench-compare.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import resource
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

from scripts.bench_rasa import SCRIPTS as WEGWIJZER_SCRIPTS
from scripts.results import markdown_table, write_result
from scripts.stack import RASA_BIN, Stack, free_port, start_stack, stop_process, wait_http

ROOT = Path(__file__).resolve().parent.parent


# Texts from the starter bot's own data/nlu.yml; each conversation follows its stories and rules.
STARTER_SCRIPTS = [
    ["hello", "perfect", "are you a bot?", "hey", "very good", "bye"],
    ["hi", "I am sad", "yes", "am I talking to a human?", "good morning", "goodbye"],
    ["hey there", "very sad", "no", "hello", "amazing", "see you later"],
    ["good evening", "unhappy", "of course", "are you a human?", "I am great", "bye bye"],
]  # fmt: skip

GOAL_RATIO_10 = 2.0
GOAL_P95_10_MS = 150.0
GOAL_P95_50_THINK_MS = 300.0
GOAL_P99_50_THINK_MS = 600.0
GOAL_P95_1_MS = 30.0
GOAL_RSS_BYTES = 0.9e9  # 0.9 GB (decimal) = 858 MiB


@dataclass
class Bot:
    """One bot under test: where it answers, what it is asked, and the processes whose memory and CPU count."""

    name: str
    url: str
    scripts: list[list[str]]
    pids: dict[str, int]
    peak_rss: dict[str, int] = field(default_factory=dict)

    def processes(self) -> dict[str, list[psutil.Process]]:
        """Each named process with its children (a process that is gone is left out)."""
        found: dict[str, list[psutil.Process]] = {}
        for name, pid in self.pids.items():
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(pid)
                found[name] = [root, *root.children(recursive=True)]
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by all processes of the bot."""
        total = 0.0
        for group in self.processes().values():
            for process in group:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    total += times.user + times.system
        return total

    def sample_rss(self) -> None:
        """Remember the highest resident memory seen per named process (children included)."""
        for name, group in self.processes().items():
            rss = 0
            for process in group:
                with contextlib.suppress(psutil.Error):
                    rss += process.memory_info().rss
            self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``q`` of the sample at or below it.

    (``ordered`` is sorted and non-empty.) scripts/bench_rasa.py takes ``ordered[int(q * (n - 1))]``, which is
    one rank lower; the difference matters only for small samples such as one conversation with think time.
    """
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def timed_turn(
    client: httpx.AsyncClient,
    base: str,
    sender: str,
    message: str,
    latencies: list[float],
    errors: dict[str, int],
) -> bool:
    """Send one message to Rasa's REST channel at ``base``; record its latency (ms) or the kind of error.

    Returns:
        Whether a reply came back (an HTTP error or an empty reply counts as a reply, and as an error).
    """
    sent = time.perf_counter()
    try:
        reply = await client.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message})
    except httpx.HTTPError:
        errors["exception"] += 1
        return False
    latencies.append((time.perf_counter() - sent) * 1000)
    if reply.status_code != 200:
        errors["http"] += 1
    elif not reply.json():
        errors["empty"] += 1
    return True


def turn_figures(latencies: list[float], elapsed: float, errors: dict[str, int]) -> dict[str, Any]:
    """Throughput, latency percentiles (ms) and errors of one timed run, as every benchmark reports them."""
    ordered = sorted(latencies)
    turns = len(ordered)
    return {
        "seconds": round(elapsed, 1),
        "turns_per_second": round(turns / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 1) if turns else None,
        "p95_ms": round(percentile(ordered, 0.95), 1) if turns else None,
        "p99_ms": round(percentile(ordered, 0.99), 1) if turns else None,
        "max_ms": round(ordered[-1], 1) if turns else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def generator_cpu_seconds() -> float:
    """User + system CPU seconds of this process (the load generator)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_level(bot: Bot, concurrency: int, think_s: float, seconds: float) -> dict[str, Any]:
    """Closed loop: ``concurrency`` workers, each running conversations back to back for ``seconds``."""
    latencies: list[float] = []
    errors = {"http": 0, "empty": 0, "exception": 0}
    conversations = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=bot.url, timeout=60, limits=limits) as client:

        async def worker(index: int) -> None:
            nonlocal conversations
            if think_s:
                await asyncio.sleep(think_s * index / concurrency)
            number = index
            while time.perf_counter() < deadline:
                script = bot.scripts[number % len(bot.scripts)]
                number += concurrency
                conversations += 1
                sender = f"bench-{uuid.uuid4().hex}"
                for message in script:
                    if time.perf_counter() >= deadline:
                        return
                    await timed_turn(client, "", sender, message, latencies, errors)
                    if think_s:
                        await asyncio.sleep(max(0.0, min(think_s, deadline - time.perf_counter())))

        async def sampler() -> None:
            while True:
                bot.sample_rss()
                await asyncio.sleep(1.0)

        sampling = asyncio.create_task(sampler())
        cpu_bot, cpu_gen = bot.cpu_seconds(), generator_cpu_seconds()
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu_bot, cpu_gen = bot.cpu_seconds() - cpu_bot, generator_cpu_seconds() - cpu_gen
        sampling.cancel()
        bot.sample_rss()
    turns = len(latencies)
    return {
        "turns": turns,
        "conversations_started": conversations,
        **turn_figures(latencies, elapsed, errors),
        "bot_cpu_ms_per_turn": round(cpu_bot * 1000 / turns, 1) if turns else None,
        "bot_cpu_percent_of_one_core": round(100 * cpu_bot / elapsed, 0),
        "generator_cpu_percent_of_one_core": round(100 * cpu_gen / elapsed, 1),
        "generator_cpu_ms_per_turn": round(cpu_gen * 1000 / turns, 2) if turns else None,
    }


def build_starter(directory: Path) -> float:
    """``rasa init --no-prompt`` (writes and trains the starter project); return the seconds it took."""
    directory.mkdir(parents=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    started = time.monotonic()
    result = subprocess.run(
        [str(RASA_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(directory)],
        cwd=directory, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.monotonic() - started
    if result.returncode != 0 or not list((directory / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds


def starter_needs_action_server(directory: Path) -> bool:
    """True when the starter's domain declares custom actions or its endpoints name an action server."""
    domain = yaml.safe_load((directory / "domain.yml").read_text(encoding="utf-8")) or {}
    endpoints = yaml.safe_load((directory / "endpoints.yml").read_text(encoding="utf-8")) or {}
    custom = [a for a in domain.get("actions", []) or [] if not str(a).startswith("utter_")]
    return bool(custom) or "action_endpoint" in endpoints


def start_starter(directory: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start the starter bot's Rasa on a free port; return the process, its URL and its start-up seconds."""
    port = free_port()
    argv = [
        str(RASA_BIN / "rasa"), "run", "--model", str(directory / "models"), "--interface", "127.0.0.1",
        "--port", str(port), "--credentials", str(directory / "credentials.yml"),
        "--endpoints", str(directory / "endpoints.yml"),
    ]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    log = (directory / "rasa.log").open("wb")
    process = subprocess.Popen(
        argv, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        seconds = wait_http(url + "/webhooks/rest/", 240, process)
    except Exception:
        stop_process(process)
        log_text = (directory / "rasa.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the starter bot did not start:\n{log_text}") from None
    return process, url, seconds


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b rounded, or None when either is missing or b is zero."""
    return round(a / b, 2) if a is not None and b else None


def repeat_pairs(
    bots: dict[str, Bot], levels: list[dict[str, Any]], total: int, seconds: float, order: list[str]
) -> dict[str, Any]:
    """The 10-concurrent pair run ``total`` times (the first is the level's own run), alternating the order.

    Why: the two bots share the two cores with whatever else the machine runs, and one pair's ratio moved by a
    quarter between two runs on the same code (BENCHMARKS.md); the median over pairs is steadier.
    """
    first = next((x for x in levels if x["concurrency"] == 10 and x["think_s"] == 0.0), None)
    if first is None:
        return {}
    ratios = [first["ratio_wegwijzer_to_starter"]["turns_per_second"]]
    p95s = [first["wegwijzer"]["p95_ms"]]
    runs: list[dict[str, Any]] = []
    for _ in range(total - 1):
        order.reverse()
        run = {name: asyncio.run(run_level(bots[name], 10, 0.0, seconds)) for name in order}
        ratios.append(ratio(run["wegwijzer"]["turns_per_second"], run["starter"]["turns_per_second"]))
        p95s.append(run["wegwijzer"]["p95_ms"])
        runs.append({"order": list(order), **run})
    known = sorted(r for r in ratios if r is not None)
    return {
        "ratios": ratios,
        "wegwijzer_p95_ms": p95s,
        "median_ratio": statistics.median(known) if known else None,
        "median_wegwijzer_p95_ms": statistics.median(p95s),
        "runs": runs,
    }


def goals(
    levels: list[dict[str, Any]], peak_rss: dict[str, int], think_s: float, pairs: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The goals of issue 15, item 2, on Wegwijzer's figures of this run."""

    def level(concurrency: int, think: float) -> dict[str, Any] | None:
        return next((x for x in levels if x["concurrency"] == concurrency and x["think_s"] == think), None)

    def check(goal: str, measured: Any, met: bool | None) -> dict[str, Any]:
        return {"goal": goal, "measured": measured, "met": met}

    out = []
    ten, one, fifty = level(10, 0.0), level(1, 0.0), level(50, think_s)
    if ten:
        pairs = pairs or {}
        several = len(pairs.get("ratios", [])) > 1
        got = pairs["median_ratio"] if several else ten["ratio_wegwijzer_to_starter"]["turns_per_second"]
        p95 = pairs["median_wegwijzer_p95_ms"] if several else ten["wegwijzer"]["p95_ms"]
        how = f" (median of {len(pairs['ratios'])} pairs)" if several else ""
        met = got is not None and got >= GOAL_RATIO_10
        out.append(check(f"≥ 2.0 × the starter bot's turns/s at 10 concurrent{how}", got, met))
        out.append(check(f"p95 ≤ 150 ms at 10 concurrent{how}", p95, p95 is not None and p95 <= GOAL_P95_10_MS))
    if fifty:
        p95, p99 = fifty["wegwijzer"]["p95_ms"], fifty["wegwijzer"]["p99_ms"]
        out.append(check(f"p95 ≤ 300 ms at 50 with {think_s:g} s between turns", p95,
                         p95 is not None and p95 <= GOAL_P95_50_THINK_MS))  # fmt: skip
        out.append(check(f"p99 ≤ 600 ms at 50 with {think_s:g} s between turns", p99,
                         p99 is not None and p99 <= GOAL_P99_50_THINK_MS))  # fmt: skip
    if one:
        p95 = one["wegwijzer"]["p95_ms"]
        out.append(check("p95 ≤ 30 ms one at a time", p95, p95 is not None and p95 <= GOAL_P95_1_MS))
    errors = sum(x["wegwijzer"]["errors"] for x in levels)
    out.append(check("no errors (Wegwijzer, all levels)", errors, errors == 0))
    rss = peak_rss.get("rasa", 0)
    out.append(check("Rasa memory ≤ 0.9 GB (Wegwijzer's Rasa process, peak RSS, MB)", round(rss / 1e6),
                     rss <= GOAL_RSS_BYTES))  # fmt: skip
    return out


def markdown(report: dict[str, Any]) -> str:
    """The table for BENCHMARKS.md."""
    headers = ["conversations", "think", "bot", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors",
               "bot CPU ms/turn", "generator CPU %", "ratio turns/s", "ratio p95"]  # fmt: skip
    rows = []
    for x in report["levels"]:
        for name in x["order"]:
            r = x[name]
            ratios = x["ratio_wegwijzer_to_starter"] if name == "wegwijzer" else {}
            rows.append([
                x["concurrency"], f"{x['think_s']:g} s", name, r["turns_per_second"], r["p50_ms"], r["p95_ms"],
                r["p99_ms"], r["errors"], r["bot_cpu_ms_per_turn"], r["generator_cpu_percent_of_one_core"],
                ratios.get("turns_per_second", ""), ratios.get("p95_ms", ""),
            ])  # fmt: skip
    lines = markdown_table(headers, rows)
    lines.append("")
    pairs = report.get("pairs_at_10") or {}
    if len(pairs.get("ratios", [])) > 1:
        every = f"ratio {pairs['ratios']}, Wegwijzer p95 {pairs['wegwijzer_p95_ms']} ms"
        lines.append(f"10 concurrent, every pair: {every}")
        lines.append("")
    for g in report["goals"]:
        mark = "✔" if g["met"] else "✘"
        lines.append(f"- {mark} {g['goal']}: {g['measured']}")
    return "\n".join(lines)


def write_report(report: dict[str, Any], out: Path, table: str) -> None:
    """Finish a benchmark report (end time, load after), write it as JSON and print its table."""
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["finished_utc"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    print(table)
    write_result(out, report)


def main() -> None:
    """Build the starter bot, start both bots, run the levels, write the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench-compare.json")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level and bot")
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations")
    parser.add_argument("--think", type=float, default=2.0, help="seconds between turns in the think-time runs")
    parser.add_argument(
        "--repeat-10", type=int, default=1,
        help="run the 10-concurrent pair (no think time) this many times; the goal uses the median ratio",
    )  # fmt: skip
    args = parser.parse_args()
    concurrencies = [int(x) for x in args.levels.split(",")]
    report: dict[str, Any] = {
        "started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        },
        "rasa_version": subprocess.run(
            [str(RASA_BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip(),
        "rasa_environment": str((RASA_BIN / "python").resolve()),
        "seconds_per_level_and_bot": args.seconds,
        "think_s": args.think,
        "turns_per_conversation": 6,
    }
    with tempfile.TemporaryDirectory(prefix="rasa-starter-") as tmp:
        starter_dir = Path(tmp) / "starter"
        print(f"building the starter bot in {starter_dir} (rasa init --no-prompt, trains it) ...", flush=True)
        report["starter_build_and_train_seconds"] = round(build_starter(starter_dir), 1)
        if starter_needs_action_server(starter_dir):
            raise RuntimeError("the starter bot now declares custom actions: start its action server too")
        report["starter_action_server"] = "not needed: its domain has only responses and no action endpoint"
        print("starting Wegwijzer and the starter bot ...", flush=True)
        stack: Stack = start_stack()
        starter_process: subprocess.Popen[bytes] | None = None
        try:
            starter_process, starter_url, starter_start = start_starter(starter_dir)
            report["startup_seconds"] = {
                "wegwijzer": {k: round(v, 1) for k, v in stack.startup_seconds.items()},
                "starter": {"rasa": round(starter_start, 1)},
            }
            bots = {
                "wegwijzer": Bot(
                    "wegwijzer",
                    stack.rasa_url,
                    WEGWIJZER_SCRIPTS,
                    {name: p.pid for name, p in stack.processes.items()},
                ),
                "starter": Bot("starter", starter_url, STARTER_SCRIPTS, {"rasa": starter_process.pid}),
            }
            for bot in bots.values():  # warm-up: first predictions build the model graphs and caches
                bot.sample_rss()
                asyncio.run(run_level(bot, 2, 0.0, 5.0))
            report["rss_mb_after_warmup"] = {n: {k: round(v / 1e6) for k, v in b.peak_rss.items()}
                                             for n, b in bots.items()}  # fmt: skip
            levels: list[dict[str, Any]] = []
            order = ["wegwijzer", "starter"]
            for think in (0.0, args.think):
                for concurrency in concurrencies:
                    level: dict[str, Any] = {"concurrency": concurrency, "think_s": think, "order": list(order)}
                    for name in order:
                        print(f"  {concurrency:>3} conversations, think {think:g} s: {name} ...", flush=True)
                        level[name] = asyncio.run(run_level(bots[name], concurrency, think, args.seconds))
                    w, s = level["wegwijzer"], level["starter"]
                    level["ratio_wegwijzer_to_starter"] = {
                        "turns_per_second": ratio(w["turns_per_second"], s["turns_per_second"]),
                        "p95_ms": ratio(w["p95_ms"], s["p95_ms"]),
                    }
                    levels.append(level)
                    order.reverse()
            report["levels"] = levels
            report["pairs_at_10"] = repeat_pairs(bots, levels, args.repeat_10, args.seconds, order)
            report["peak_rss_mb"] = {n: {k: round(v / 1e6) for k, v in b.peak_rss.items()}
                                     for n, b in bots.items()}  # fmt: skip
            report["goals"] = goals(levels, bots["wegwijzer"].peak_rss, args.think, report["pairs_at_10"])
        finally:
            if starter_process is not None:
                stop_process(starter_process)
            stack.stop_all()
    write_report(report, args.out, markdown(report))


if __name__ == "__main__":
    main()
