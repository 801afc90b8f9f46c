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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.ci_support import unavailable

REPO_ROOT = Path(__file__).resolve().parents[2]


def private_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point OUTBOX_PATH at a fresh file under ``tmp_path`` for one test; the body of the outbox fixtures.

    ``actions.outbox`` keeps one connection; resetting it before and after makes the test use the new file and
    leaves no connection to it behind.
    """
    from actions import outbox

    path = tmp_path / "outbox.sqlite3"
    monkeypatch.setenv("OUTBOX_PATH", str(path))
    outbox.reset_connection()
    yield path
    outbox.reset_connection()


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
        unavailable(f"APP ENVIRONMENT MISSING: {path} not found; the relay tests need the real API")
    return path


@dataclass
class ApiProcess:
    """A real uvicorn process serving api.main:create_app on 127.0.0.1."""

    database: Path
    log: Path
    port: int = field(default_factory=free_port)
    ingest_key: str = field(default_factory=lambda: "ingest-" + secrets.token_hex(16))
    read_key: str = field(default_factory=lambda: "read-" + secrets.token_hex(16))
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The API's environment; ingest_key, read_key and extra_env may change between starts."""
        return {
            **inherited_environment(),
            "PYTHONPATH": str(REPO_ROOT),
            "APP_ENV": "test",
            "API_DATABASE_URL": f"sqlite:///{self.database}",
            "API_AUTO_MIGRATE": "true",
            "API_INGEST_KEY": self.ingest_key,
            "API_READ_KEY": self.read_key,
            **self.extra_env,
        }

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``python -m api ARGS`` (e.g. ``keys create``) on this API's database."""
        return subprocess.run(
            [str(app_python()), "-m", "api", *args],
            env=self.environment(),
            cwd=str(REPO_ROOT),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    def start(self) -> None:
        env = self.environment()
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
        if self.process is not None:
            _end(self.process, grace=10)
        self.process = None

    def event_ids(self) -> list[str]:
        connection = sqlite3.connect(str(self.database))
        try:
            return [str(uuid.UUID(row[0])) for row in connection.execute("SELECT event_id FROM event")]
        finally:
            connection.close()


def _end(process: subprocess.Popen[bytes], grace: float) -> int:
    """Stop ``process`` if it still runs: SIGTERM, then SIGKILL after ``grace`` seconds; its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@dataclass
class RelayProcess:
    """A real ``python -m actions.outbox_relay`` process."""

    env: dict[str, str]
    log: Path
    prefix: list[str] = field(default_factory=list)  # e.g. setpriv, to run without root's privileges
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.prefix, sys.executable, "-m", "actions.outbox_relay"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=str(REPO_ROOT),
            )

    def wait(self, timeout: float) -> int | None:
        """The exit code once the relay ends by itself within ``timeout``, else None."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> int | None:
        if self.process is None:
            return None
        code = _end(self.process, grace=15)
        self.process = None
        return code


def relay_command(
    env: dict[str, str], *args: str, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m actions.outbox_relay ARGS`` (status, dead list, dead requeue) to the end."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "actions.outbox_relay", *args],
        env=env,
        cwd=str(REPO_ROOT),
        capture_output=True,
        text=True,
        timeout=60,
    )


def inherited_environment() -> dict[str, str]:
    """This process's environment without the API's own settings (``API_*``).

    ``make`` exports the development values of .env.example (placeholder keys among them); a test API or relay
    is configured by its test alone, or a placeholder the test never set is refused with APP_ENV=test.
    """
    return {name: value for name, value in os.environ.items() if not name.startswith("API_")}


def relay_env(outbox: Path, api_url: str, key: str, **overrides: str) -> dict[str, str]:
    """The environment of a relay process (or command) on ``outbox``, with quick test timings."""
    return {
        **inherited_environment(),
        "PYTHONPATH": str(REPO_ROOT),
        "OUTBOX_PATH": str(outbox),
        "API_URL": api_url,
        "API_INGEST_KEY": key,
        "RELAY_POLL_INTERVAL": "0.2",
        "RELAY_BASE_BACKOFF": "0.2",
        "RELAY_MAX_BACKOFF": "1",
        "RELAY_TIMEOUT": "5",
        "RASA_TELEMETRY_ENABLED": "false",
        **overrides,
    }


def log_lines(path: Path, level: str) -> list[str]:
    """The lines of a relay log at one level (the relay's format is ``time LEVEL message``)."""
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if f" {level} " in line]
