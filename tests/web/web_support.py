"""Helpers for the browser tests: child processes, the servers' handles, axe-core, the origin route.

Kept out of conftest.py so test modules import them from a normal module.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.ci_support import without_editor_secrets

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "vendor" / "axe.min.js"


def free_port() -> int:
    """A TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[Any] | None, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers; fail early when the process has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def start(args: list[str], env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[Any]:
    """Start a child in its own process group so that stopping it stops its children too."""
    full_env = {**without_editor_secrets(dict(os.environ)), "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.Popen(args, cwd=REPO, env=full_env, start_new_session=True, **kwargs)


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a child started by ``start`` (SIGTERM to its group, then SIGKILL)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def read_stack_info(process: subprocess.Popen[str], timeout: float) -> dict[str, Any] | None:
    """The JSON object that ``make -s serve-test-stack`` prints once the stack is up.

    Lines before it are skipped: make may first rebuild prerequisites (the spaCy pipeline, the
    model) and their tools print to stdout. Returns None on timeout or when stdout closes.
    """
    assert process.stdout is not None
    stdout = process.stdout
    found: list[dict[str, Any]] = []

    def read() -> None:
        for line in stdout:
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict) and "rasa_url" in value:
                found.append(value)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if not found:
        return None
    # Keep draining stdout so the stack never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()
    return found[0]


@dataclass(frozen=True)
class Stack:
    """What the tests know about the running bot stack."""

    rasa_url: str
    api_url: str | None
    api_ingest_key: str | None
    triage_staff_key: str
    is_fake: bool


@dataclass(frozen=True)
class DemoServer:
    """A running ``python -m bot.webchat``; ``origin`` is what the browser sends as Origin."""

    origin: str


@dataclass(frozen=True)
class StaffServer:
    """A running staff page and where its referral events go."""

    url: str
    page_key: str
    recording_api_url: str | None


def enable_axe(ctx: Any) -> None:
    """Load the bundled axe-core into every page of ``ctx`` (an init script, which the pages'
    strict CSP does not block, unlike an injected <script> tag)."""
    ctx.add_init_script(path=str(AXE_JS))


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (loaded by ``enable_axe``) and return its violations: WCAG 2.x A/AA rules
    and best practices, everything axe runs by default."""
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )
    return list(result)
