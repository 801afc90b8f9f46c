"""Helpers for the operations tests: the repository root and Redis. Plain functions; conftest.py builds fixtures
on them. The scripts/ helpers are imported as a package (``from scripts import stack``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts import stack as stack_script

ROOT = Path(__file__).resolve().parents[2]


def redis_server_binary() -> str:
    """Path of redis-server, installing Debian's package when it is missing (as root, with apt-get)."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=False, env=env)
        found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("redis-server is not installed: apt-get install -y redis-server")
    return found


def redis_ping(port: int) -> bool:
    """True when a Redis server on 127.0.0.1:port answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"*1\r\n$4\r\nPING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_argv(port: int) -> list[str]:
    """A throwaway Redis: loopback only, no persistence, no protected-mode surprises."""
    return [
        redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning",
    ]  # fmt: skip


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def require_trained_model() -> None:
    """Fail, not skip, without a trained model: a test of the running stack needs the real Rasa."""
    if not stack_script.MODEL.exists():
        pytest.fail(f"no trained model at {stack_script.MODEL}: run `make train` first")


def tracker_events(rasa_url: str, sender: str, token: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """All stored events of one conversation, through Rasa's HTTP API (Rasa runs with --enable-api and
    --auth-token ``token``); the tests read what was stored, not what was answered."""
    import httpx  # imported on use: this module loads in the Rasa environment too

    reply = httpx.get(
        f"{rasa_url}/conversations/{sender}/tracker",
        params={"token": token, "include_events": "ALL"},
        timeout=timeout,
    )
    reply.raise_for_status()
    return list(reply.json()["events"])
