"""Real backing services for the fault drills: PostgreSQL (tracker store), Redis (lock store) and the stack.

Each service can be stopped and started again on the same port, so a test can take one away in the middle
of a conversation and bring it back. Nothing here is a mock: the tests talk to real processes over TCP.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.rasa_client import RasaClient, RasaReply
from scripts import pg_cluster
from scripts import stack as stack_script
from shared.messages import IncomingMessage
from tests.ops.ops_support import tracker_events as ops_tracker_events

ROOT = Path(__file__).resolve().parents[2]
TRACKER_TOKEN = "fault-drill-token"
# Wednesday evening 26 November 2025, as in the HTTP tests, so opening-hour answers are stable.
PINNED_NOW = "2025-11-26T19:00:00+01:00"


def wait_port(port: int, timeout: float, up: bool = True) -> bool:
    """Wait until 127.0.0.1:port accepts (``up``) or refuses (not ``up``) connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                accepting = True
        except OSError:
            accepting = False
        if accepting == up:
            return True
        time.sleep(0.1)
    return False


class RedisServer:
    """A private redis-server on a free port, without persistence; stop() and start() keep the port."""

    def __init__(self, port: int) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is missing: apt-get install -y redis-server")
        self.binary = binary
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start and wait until it accepts connections."""
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port, 10):
            raise RuntimeError("redis-server did not start")
        return self

    def stop(self) -> None:
        """Stop it (SIGTERM) and wait until the port refuses connections."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        wait_port(self.port, 5, up=False)


class Postgres:
    """A throwaway PostgreSQL cluster (scripts/pg_cluster.py) that can be stopped and started again."""

    def __init__(self) -> None:
        self.cluster = pg_cluster.PgCluster()

    @property
    def port(self) -> int:
        """Port it listens on."""
        return int(self.cluster.port)

    def start_first(self) -> Postgres:
        """initdb and start."""
        self.cluster.start()
        return self

    def stop(self) -> None:
        """Stop the server, keeping its data."""
        self.cluster._run("pg_ctl", "-D", str(self.cluster.data), "-m", "fast", "-w", "stop")
        wait_port(self.port, 10, up=False)

    def start(self) -> None:
        """Start the stopped server again on the same port."""
        options = f"-p {self.port} -k {self.cluster.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.cluster.directory / "server.log")
        self.cluster._run("pg_ctl", "-D", str(self.cluster.data), "-o", options, "-l", log, "-w", "start")

    def remove(self) -> None:
        """Stop and delete the cluster."""
        self.cluster.stop()


def write_endpoints(directory: Path, pg_port: int | None, redis_port: int | None) -> Path:
    """An endpoints file with the SQL tracker store and/or the Redis lock store on the given ports."""
    lines = ["action_endpoint:", "  url: ${ACTION_SERVER_URL}"]
    if pg_port is not None:
        lines += [
            "tracker_store:",
            "  type: SQL",
            "  dialect: postgresql",
            "  url: 127.0.0.1",
            f"  port: {pg_port}",
            "  username: postgres",
            "  db: rasa",
            "  login_db: postgres",
        ]
    if redis_port is not None:
        lines += [
            "lock_store:",
            "  type: redis",
            "  url: 127.0.0.1",
            f"  port: {redis_port}",
            "  db: 1",
            "  key_prefix: wegwijzer",
            "  socket_timeout: 2",
        ]
    path = directory / "endpoints.faults.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    return int(stack_script.free_port())


def tracker_events(rasa_url: str, sender: str) -> list[dict[str, Any]]:
    """The stored events of one conversation of a drill's Rasa (started with ``TRACKER_TOKEN``)."""
    return ops_tracker_events(rasa_url, sender, TRACKER_TOKEN)


def user_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the user messages of a tracker's events."""
    return [event for event in events if event.get("event") == "user"]


def temp_dir(prefix: str) -> Path:
    """A fresh temporary directory."""
    return Path(tempfile.mkdtemp(prefix=prefix))


@contextlib.contextmanager
def backing_services() -> Any:
    """PostgreSQL and Redis for one test session; yields (postgres, redis)."""
    postgres = Postgres().start_first()
    redis = RedisServer(free_port()).start()
    try:
        yield postgres, redis
    finally:
        redis.stop()
        postgres.remove()


class Drill:
    """The running stack plus the backing services the drills stop and start."""

    def __init__(self, stack: Any, postgres: Postgres, redis: RedisServer) -> None:
        self.stack = stack
        self.postgres = postgres
        self.redis = redis

    @property
    def rasa_url(self) -> str:
        """Base URL of Rasa."""
        return str(self.stack.rasa_url)

    def rasa_log(self) -> str:
        """Everything Rasa logged so far."""
        return str((self.stack.workdir / "rasa.log").read_text(errors="replace"))


class Resident:
    """A resident behind an adapter: every message goes through ``bot.rasa_client.RasaClient``."""

    def __init__(self, rasa: RasaClient, sender: str) -> None:
        self.rasa = rasa
        self.sender = sender

    async def say(self, text: str) -> RasaReply:
        """Send one message the way the Telegram and WhatsApp adapters do."""
        return await self.rasa.send(IncomingMessage(sender=self.sender, text=text, channel="telegram"))
