"""Starts the running parts of Wegwijzer for tests and benchmarks, on free local ports, and stops them again.

Used by the HTTP tests, `make bench` and `make serve-test-stack`. Standard library only, so either Python
environment can drive it. Components: rasa, actions (always), and optionally api and relay.
Usage: python -m scripts.stack serve [--with-api]
(prints the URLs as JSON on its first line and runs until killed)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = ROOT / ".venv-rasa" / "bin"
# `rasa run` through our entry point, which installs the speed-ups first (bot/connectors/rasa_main.py).
RASA_RUN = (str(RASA_BIN / "python"), "-m", "bot.connectors.rasa_main", "run")
APP_BIN = ROOT / ".venv-app" / "bin"
MODEL = ROOT / "models" / "wegwijzer.tar.gz"
START_TIMEOUT = 240.0


TEST_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"
LIFTED_RATES = {
    "WEBCHAT_SOCKET_BURST": "1000000",
    "WEBCHAT_SOCKET_PER_MINUTE": "1000000",
    "WEBCHAT_ADDRESS_BURST": "1000000",
    "WEBCHAT_ADDRESS_PER_MINUTE": "1000000",
}


def _allowed_origins(inherited: str | None) -> str:
    """The caller's allow-list (the web tests add their demo page's port), or the widget's origins of
    `make run`; never "*": a stack test must meet the allow-list residents' browsers meet, so a broken Origin
    check cannot pass unnoticed."""
    if not inherited or "*" in inherited.split(","):
        return TEST_ORIGINS
    return inherited


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> float:
    """Wait until ``url`` answers 200; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own session: SIGTERM to its group, then SIGKILL after 15 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@dataclass
class Stack:
    """Handles of the started processes and where they listen."""

    env: dict[str, str]
    workdir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    startup_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        """Base URL of Rasa."""
        return self.env["RASA_URL"]

    def urls(self) -> dict[str, str]:
        """Everything a test or a benchmark needs to reach the stack."""
        return {
            "rasa_url": self.rasa_url,
            "action_server_url": self.env["ACTION_SERVER_URL"],
            "api_url": self.env["API_URL"],
            "outbox_path": self.env["OUTBOX_PATH"],
            "triage_staff_key": self.env["TRIAGE_STAFF_KEY"],
            "api_ingest_key": self.env["API_INGEST_KEY"],
            "api_read_key": self.env["API_READ_KEY"],
            "api_database_url": self.env["API_DATABASE_URL"],
        }

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env if env is not None else self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_actions(self) -> None:
        """Start the action server and wait for its health check."""
        process = self._spawn("actions", [str(RASA_BIN / "python"), "-m", "actions.server"])
        health = self.env["ACTION_SERVER_URL"].rsplit("/webhook", 1)[0] + "/health"
        self.startup_seconds["actions"] = wait_http(health, START_TIMEOUT, process)

    def start_rasa(self) -> None:
        """Start Rasa with the trained model and wait until its channels answer."""
        self.start_rasa_with()

    def start_rasa_with(self, endpoints: str = "endpoints.yml", extra_args: tuple[str, ...] = ()) -> None:
        """Start Rasa with another endpoints file and extra CLI arguments (e.g. ``--enable-api``)."""
        argv = [
            *RASA_RUN, "--model", str(MODEL), "--interface", "127.0.0.1",
            "--port", self.env["RASA_PORT"], "--credentials", "credentials.yml",
            "--endpoints", endpoints, *extra_args,
        ]  # fmt: skip
        process = self._spawn("rasa", argv)
        self.startup_seconds["rasa"] = wait_http(self.rasa_url + "/webhooks/rest/", START_TIMEOUT, process)

    def start_api(self) -> None:
        """Start the reach API (app environment)."""
        process = self._spawn("api", [str(APP_BIN / "python"), "-m", "api", "serve"])
        self.startup_seconds["api"] = wait_http(self.env["API_URL"] + "/healthz", 60, process)

    def start_api_reader(self, now: str, extra_env: dict[str, str] | None = None) -> str:
        """Start a second API process on the same database, with its clock at ``now``; return its URL.

        Statistics of a period are published only once the period is closed and settled, so a test that chats
        "today" reads them from a process that lives weeks later. The reader never migrates (the first API
        did) and takes settings such as ``API_SUPPRESSION_THRESHOLD`` from ``extra_env``.
        """
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**self.env, "API_PORT": str(port), "API_URL": url, "API_AUTO_MIGRATE": "false"}
        env.update({"WEGWIJZER_NOW": now, **(extra_env or {})})
        process = self._spawn("api-reader", [str(APP_BIN / "python"), "-m", "api", "serve"], env)
        self.startup_seconds["api-reader"] = wait_http(url + "/healthz", 60, process)
        return url

    def migrate_api(self) -> None:
        """Create or upgrade the API's database schema (``python -m api db upgrade``); ``serve`` does not."""
        subprocess.run(
            [str(APP_BIN / "python"), "-m", "api", "db", "upgrade"],
            cwd=ROOT, env=self.env, check=True, capture_output=True,
        )  # fmt: skip

    def start_relay(self) -> None:
        """Start the outbox relay (Rasa environment)."""
        self._spawn("relay", [str(RASA_BIN / "python"), "-m", "actions.outbox_relay"])

    def start_process(
        self, name: str, argv: list[str], health_url: str | None = None, timeout: float = START_TIMEOUT
    ) -> subprocess.Popen[bytes]:
        """Start any command in the stack's environment (a second Rasa, a proxy) and wait for ``health_url``."""
        process = self._spawn(name, argv)
        if health_url:
            self.startup_seconds[name] = wait_http(health_url, timeout, process)
        return process

    def stop(self, name: str) -> None:
        """Stop one process (SIGTERM, then SIGKILL)."""
        process = self.processes.pop(name, None)
        if process is not None:
            stop_process(process)

    def stop_all(self) -> None:
        """Stop everything that was started."""
        for name in list(self.processes):
            self.stop(name)

    def log(self, name: str) -> str:
        """The output of a process so far (for failure messages)."""
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def rasa_command(port: int | str, endpoints: str = "endpoints.yml", interface: str = "127.0.0.1") -> list[str]:
    """The argv that runs Rasa with the trained model on ``interface:port`` with the given endpoints file."""
    return [
        *RASA_RUN, "--model", str(MODEL), "--interface", interface, "--port", str(port),
        "--credentials", "credentials.yml", "--endpoints", endpoints,
    ]  # fmt: skip


def procfile_command(name: str, env: dict[str, str], procfile: Path = ROOT / "Procfile.dev") -> list[str]:
    """The argv of one process in Procfile.dev, as honcho's shell would run it.

    ``$VAR``/``${VAR}`` come from ``env``; an unset or empty variable disappears, as in the shell. Relative
    program paths are resolved against the repository.
    """
    for raw in procfile.read_text(encoding="utf-8").splitlines():
        line = raw.partition("#requires")[0].strip()
        if line.startswith(f"{name}:"):
            command = line.split(":", 1)[1]
            expanded = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), command)
            argv = shlex.split(expanded)
            if not Path(argv[0]).is_absolute() and (ROOT / argv[0]).exists():
                argv[0] = str(ROOT / argv[0])
            return argv
    raise KeyError(f"no process {name!r} in {procfile}")


def production_stores_env(postgres_port: int, database: str, redis_port: int) -> dict[str, str]:
    """The variables ``endpoints.sql.yml`` reads: PostgreSQL tracker store and Redis lock store on loopback,
    as the scale test and the scale-out benchmark start them (superuser, no passwords: throwaway servers)."""
    return {
        "TRACKER_DB_HOST": "127.0.0.1",
        "TRACKER_DB_PORT": str(postgres_port),
        "TRACKER_DB_NAME": database,
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "REDIS_PASSWORD": "",
    }


def make_stack(workdir: Path | None = None, extra_env: dict[str, str] | None = None) -> Stack:
    """A Stack with fresh ports, a private outbox and database, and test keys (nothing started yet)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="wegwijzer-stack-"))
    rasa_port, action_port, api_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update(
        {
            "APP_ENV": "development",
            "RASA_TELEMETRY_ENABLED": "false",
            "RASA_PORT": str(rasa_port),
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ACTION_SERVER_HOST": "127.0.0.1",
            "ACTION_SERVER_PORT": str(action_port),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "API_HOST": "127.0.0.1",
            "API_PORT": str(api_port),
            "API_URL": f"http://127.0.0.1:{api_port}",
            "API_DATABASE_URL": f"sqlite:///{workdir / 'api.sqlite3'}",
            "API_INGEST_KEY": "test-ingest-key-change-me",
            "API_READ_KEY": "test-read-key-change-me",
            "OUTBOX_PATH": str(workdir / "outbox.sqlite3"),
            "TRIAGE_STAFF_KEY": "test-staff-key",
            "WEBCHAT_ALLOWED_ORIGINS": _allowed_origins(env.get("WEBCHAT_ALLOWED_ORIGINS")),
            # Shared by every Rasa a test starts (scale-out), and known to tests that forge tokens.
            "WEBCHAT_SESSION_KEY": "test-webchat-session-key-0123456789abcdef",
            "API_AUTO_MIGRATE": "true",
            # No staff edits from a development API: a stack is knowledge/ alone unless a test sets its own.
            "CONTENT_OVERLAY_URL": "",
            # Every test and benchmark client connects from 127.0.0.1, as thousands of residents never would:
            # the web chat's message rates (per socket and per address, bot/connectors/limits.py) are lifted
            # so load and fuzz runs measure Rasa. tests/ops/test_webchat_limits.py sets them back.
            **LIFTED_RATES,
        }
    )
    env.update(extra_env or {})
    return Stack(env=env, workdir=workdir)


def start_stack(with_api: bool = False, extra_env: dict[str, str] | None = None) -> Stack:
    """Start actions and Rasa (and the API with its relay when asked); stop everything on failure."""
    return _start(with_api, extra_env, "endpoints.yml", (), migrate=False)


def start_custom_stack(
    *,
    with_api: bool = False,
    extra_env: dict[str, str] | None = None,
    endpoints: str = "endpoints.yml",
    rasa_args: tuple[str, ...] = (),
) -> Stack:
    """Like ``start_stack``, with another endpoints file (tracker or lock store) and Rasa arguments; the API's
    schema is migrated first, because another tracker store usually comes with another database."""
    return _start(with_api, extra_env, endpoints, rasa_args, migrate=True)


def _start(
    with_api: bool,
    extra_env: dict[str, str] | None,
    endpoints: str,
    rasa_args: tuple[str, ...],
    *,
    migrate: bool,
) -> Stack:
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train` first")
    stack = make_stack(extra_env=extra_env)
    try:
        stack.start_actions()
        stack.start_rasa_with(endpoints, rasa_args)
        if with_api:
            if migrate:
                stack.migrate_api()
            stack.start_api()
            stack.start_relay()
    except Exception:
        logs = "\n".join(f"--- {n}\n{stack.log(n)}" for n in ("actions", "rasa", "api"))
        stack.stop_all()
        raise RuntimeError(f"the stack did not start:\n{logs}") from None
    return stack


def main() -> None:
    """`serve`: start, print the URLs as JSON, run until SIGTERM or Ctrl+C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--with-api", action="store_true")
    args = parser.parse_args()
    stack = start_stack(with_api=args.with_api)
    print(json.dumps({**stack.urls(), "startup_seconds": stack.startup_seconds}), flush=True)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stopping:
            time.sleep(0.5)
    finally:
        stack.stop_all()
    sys.exit(0)


if __name__ == "__main__":
    main()
