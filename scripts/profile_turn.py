"""Where the CPU of a turn goes: py-spy samples Rasa and the action server under closed-loop load.

Issue 15, item 3 ("find the cost before cutting it"). Starts Wegwijzer (``scripts/stack.py``: Rasa with the
trained model and the action server), runs the resident conversations of ``scripts/bench_rasa.py`` at a fixed
number of concurrent conversations over the REST webhook, and meanwhile lets ``py-spy record`` sample both
processes (``--format raw``: one line per distinct stack with its sample count; idle threads are not sampled;
blocking mode, so each stack is exact, at the price of pausing the process briefly at each sample).

Each sample is put in one bucket by the first frame on its stack, from the top of the call, that belongs to
a known part (NLU components, policies, the graph runner, the action call, tracker and events, JSON-schema
checks, our connectors, Sanic and asyncio, logging). CPU seconds per turn come from the processes' own
counters (psutil), so the shares can be turned into milliseconds. Nothing is asserted: the figures go to
BENCHMARKS.md ("Where a turn's CPU goes").

Usage: python -m scripts.profile_turn [--seconds 30] [--concurrency 10] [--out results/profile-turn.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import psutil

from scripts.bench_rasa import SCRIPTS, conversation
from scripts.stack import start_stack

ROOT = Path(__file__).resolve().parent.parent


# A sample is charged to the part of the code that asked for the work: the innermost frame on its stack
# that is Rasa's, rasa_sdk's or ours (py-spy names files relative to their sys.path entry: ``rasa/…``,
# ``actions/…``), so scikit-learn called by a featurizer counts as the featurizer and json.dumps called
# by the tracker store as the tracker. Rasa's small helpers (``rasa/shared/utils``, ``rasa/utils``) are
# skipped for the frame that called them. Two costs cut across every part and are charged wherever they
# occur: logging and JSON-schema checks. A stack with none of these is Sanic/HTTP or asyncio, or "other".
# Frames under which nearly every sample sits (the main loop: ``rasa_sdk/endpoint.py`` ``app.run``) say
# nothing and are skipped.
TRUNK_SHARE = 0.9
CROSS_CUTTING: list[tuple[str, tuple[str, ...]]] = [
    ("logging", ("logging/", "structlog/")),
    ("json-schema check", ("jsonschema/",)),
]
OWNED: list[tuple[str, tuple[str, ...]]] = [
    ("NLU: featurizers and tokenizer", ("rasa/nlu/featurizers/", "rasa/nlu/tokenizers/")),
    ("NLU: classifier", ("rasa/nlu/classifiers/", "bot/nlu/")),
    ("NLU: other components", ("rasa/nlu/",)),
    ("policies", ("rasa/core/policies/",)),
    ("action call (HTTP to action server)", ("rasa/core/actions/",)),
    ("tracker and events", ("rasa/core/tracker_store", "rasa/shared/core/", "rasa/core/lock_store")),
    ("graph runner and model", ("rasa/engine/", "rasa/core/processor", "rasa/core/agent", "rasa/core/")),
    ("our channel code", ("bot/", "knowledge/pii")),
    ("our actions and content", ("actions/", "knowledge/")),
    ("rasa_sdk", ("rasa_sdk/",)),
    ("other Rasa code", ("rasa/",)),
]
HELPERS = ("rasa/shared/utils/", "rasa/utils/")
GENERIC: list[tuple[str, tuple[str, ...]]] = [
    ("Sanic and HTTP", ("sanic/", "httptools", "uvloop", "websockets/", "aiohttp/")),
    ("asyncio", ("asyncio/",)),
]


def _path(frame: str) -> str:
    return frame[frame.rfind("(") + 1 : frame.rfind(":")] if "(" in frame else frame


def _match(path: str, table: list[tuple[str, tuple[str, ...]]], prefix: bool) -> str | None:
    for name, markers in table:
        if any(path.startswith(m) if prefix else m in path for m in markers):
            return name
    return None


def trunk_of(stacks: list[tuple[list[str], int]]) -> frozenset[str]:
    """Frames that occur in at least TRUNK_SHARE of all samples: the main loop every sample runs under."""
    total = sum(count for _, count in stacks) or 1
    seen: Counter[str] = Counter()
    for stack, count in stacks:
        for frame in set(stack):
            seen[frame] += count
    return frozenset(frame for frame, count in seen.items() if count >= TRUNK_SHARE * total)


def bucket_of(stack: list[str], trunk: frozenset[str] = frozenset()) -> str:
    """The part of the code one sampled stack is charged to (outermost frame first in py-spy's raw format)."""
    paths = [_path(frame) for frame in reversed(stack) if frame not in trunk]
    for path in paths:
        name = _match(path, CROSS_CUTTING, prefix=False)
        if name:
            return name
    for path in paths:
        if path.startswith(HELPERS):
            continue
        name = _match(path, OWNED, prefix=True)
        if name:
            return name
    for path in paths:
        name = _match(path, GENERIC, prefix=False)
        if name:
            return name
    return "other"


def read_raw(path: Path) -> list[tuple[list[str], int]]:
    """py-spy's raw format: ``frame;frame;... count`` per line, outermost frame first."""
    stacks = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        head, _, count = line.rpartition(" ")
        if head and count.isdigit():
            stacks.append((head.split(";"), int(count)))
    return stacks


def summarise(stacks: list[tuple[list[str], int]], cpu_ms_per_turn: float) -> dict[str, Any]:
    """Shares per bucket and the innermost frames that cost the most (self time)."""
    total = sum(count for _, count in stacks) or 1
    buckets: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    trunk = trunk_of(stacks)
    for stack, count in stacks:
        buckets[bucket_of(stack, trunk)] += count
        leaves[stack[-1]] += count
    return {
        "samples": total,
        "buckets": [
            {
                "part": name,
                "share": round(count / total, 3),
                "cpu_ms_per_turn": round(cpu_ms_per_turn * count / total, 2),
            }
            for name, count in buckets.most_common()
        ],
        "top_self_frames": [{"frame": f, "share": round(c / total, 3)} for f, c in leaves.most_common(15)],
    }


async def closed_loop(base_url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    """Each worker runs 6-turn conversations back to back until the time is up."""
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + seconds

    async def worker(index: int, client: httpx.AsyncClient) -> None:
        nonlocal failures
        while time.monotonic() < deadline:
            failures += await conversation(client, SCRIPTS[index % len(SCRIPTS)], latencies)
            index += 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(i, client) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "turns": len(ordered),
        "failed_turns": failures,
        "turns_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children."""
    process = psutil.Process(pid)
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    return total


def _record(py_spy: str, pid: int, args: argparse.Namespace, out: Path) -> subprocess.Popen[bytes]:
    """Start ``py-spy record`` on one process for the length of the load."""
    argv = [py_spy, "record", "--pid", str(pid), "--duration", str(int(args.seconds))]
    argv += ["--rate", str(args.rate), "--format", "raw", "--output", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main(argv: list[str] | None = None) -> int:
    """Profile both processes under load and write the summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "profile-turn.json")
    parser.add_argument("--raw-dir", type=Path, default=None, help="keep py-spy's raw stacks here")
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is not installed in this environment: run `make venvs`")
    stack = start_stack()
    workdir = Path(tempfile.mkdtemp(prefix="wegwijzer-profile-"))
    try:
        pids = {"rasa": stack.processes["rasa"].pid, "actions": stack.processes["actions"].pid}
        # Warm up: the first turns load lazy parts (spaCy lookups, the action server's content cache).
        asyncio.run(closed_loop(stack.rasa_url, 2, 3))
        load_before = os.getloadavg()
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        recorders = {name: _record(py_spy, pid, args, workdir / f"{name}.txt") for name, pid in pids.items()}
        load = asyncio.run(closed_loop(stack.rasa_url, args.concurrency, args.seconds))
        cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        for name, recorder in recorders.items():
            _, err = recorder.communicate(timeout=args.seconds + 60)
            if recorder.returncode != 0:
                raise SystemExit(f"py-spy failed on {name}: {err.decode(errors='replace')[-500:]}")
    finally:
        stack.stop_all()
    turns = max(load["turns"], 1)
    report: dict[str, Any] = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "sampling_rate_hz": args.rate,
        "load": load,
        "processes": {},
    }
    for name in pids:
        ms_per_turn = (cpu_after[name] - cpu_before[name]) * 1000 / turns
        report["processes"][name] = {
            "cpu_ms_per_turn": round(ms_per_turn, 2),
            **summarise(read_raw(workdir / f"{name}.txt"), ms_per_turn),
        }
    if args.raw_dir:
        args.raw_dir.mkdir(parents=True, exist_ok=True)
        for name in pids:
            shutil.copy(workdir / f"{name}.txt", args.raw_dir / f"{name}.txt")
    shutil.rmtree(workdir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{load['turns']} turns, {load['turns_per_second']} turns/s, p95 {load['p95_ms']} ms")
    for name, figures in report["processes"].items():
        print(f"\n{name}: {figures['cpu_ms_per_turn']} ms CPU per turn, {figures['samples']} samples")
        for row in figures["buckets"]:
            print(f"  {row['share']:6.1%}  {row['cpu_ms_per_turn']:6.2f} ms  {row['part']}")
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
