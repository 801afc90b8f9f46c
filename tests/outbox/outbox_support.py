"""Helpers for the outbox and relay tests: outbox inspection, and real API and relay processes.

Plain functions and classes (no fixtures, no shared state); conftest.py builds fixtures on them.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def rows(path: Path, where: str = "1=1") -> list[sqlite3.Row]:
    if not path.exists():
        return []
    connection = sqlite3.connect(str(path))
    connection.row_factory = sqlite3.Row
    try:
        return list(connection.execute(f"SELECT * FROM outbox WHERE {where} ORDER BY seq"))
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def app_python() -> Path:
    configured = os.environ.get("APP_PY")
    path = Path(configured) if configured else REPO_ROOT / ".venv-app" / "bin" / "python"
    if not path.exists():
        pytest.skip(f"APP ENVIRONMENT MISSING: {path} not found; the relay tests need the real API")
    return path


@dataclass
class ApiProcess:
    """A real uvicorn process serving api.main:create_app on 127.0.0.1."""

    database: Path
    log: Path
    port: int = field(default_factory=free_port)
    ingest_key: str = field(default_factory=lambda: "ingest-" + secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "APP_ENV": "test",
            "API_DATABASE_URL": f"sqlite:///{self.database}",
            "API_AUTO_MIGRATE": "true",
            "API_INGEST_KEY": self.ingest_key,
            "API_READ_KEY": "read-" + secrets.token_hex(16),
        }
        command = [
            str(app_python()), "-m", "uvicorn", "--factory", "api.main:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(REPO_ROOT)
            )
        if not wait_until(self.healthy, timeout=30):
            self.stop()
            raise RuntimeError(f"API did not start; see {self.log}")

    def healthy(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def event_ids(self) -> list[str]:
        connection = sqlite3.connect(str(self.database))
        try:
            return [str(uuid.UUID(row[0])) for row in connection.execute("SELECT event_id FROM event")]
        finally:
            connection.close()


@dataclass
class RelayProcess:
    """A real ``python -m actions.outbox_relay`` process."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "actions.outbox_relay"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=str(REPO_ROOT),
            )

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code
