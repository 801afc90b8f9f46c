"""Throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temp dir, a free port,
trust auth on 127.0.0.1 only, removed again on stop.

initdb refuses to run as root, so as root the cluster runs as the system user ``postgres``
(created if missing) through ``runuser``. When no PostgreSQL binaries exist, it installs the
Debian ``postgresql`` package with apt-get (unless WEGWIJZER_PG_AUTO_INSTALL=0).

Usage: ``python -m scripts.pg_cluster`` starts one, prints its URL and waits for Ctrl-C.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYSTEM_USER = "postgres"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL binaries are missing or the cluster would not start."""


def find_bindir() -> Path | None:
    """Return the newest PostgreSQL bin directory holding initdb and pg_ctl, or None."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for directory in reversed(candidates):
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def ensure_bindir() -> Path:
    """Find PostgreSQL binaries, installing Debian's package when missing and allowed."""
    bindir = find_bindir()
    if bindir:
        return bindir
    allowed = os.environ.get("WEGWIJZER_PG_AUTO_INSTALL", "1") != "0"
    if allowed and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=False, env=env)
        bindir = find_bindir()
        if bindir:
            return bindir
    raise ClusterUnavailable("no PostgreSQL binaries (initdb, pg_ctl) found")


def free_port() -> int:
    """Ask the OS for a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """A PostgreSQL cluster in a temporary directory. Use as a context manager."""

    def __init__(self, *, durable: bool = False) -> None:
        """Prepare (not start) a cluster; ``durable=False`` turns fsync off for speed."""
        self.durable = durable
        self.bindir = ensure_bindir()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="wegwijzer-pg-"))
        self.data = self.directory / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ClusterUnavailable(f"{args[0]} failed: {result.stderr.strip()[-500:]}")
        return result

    def _ensure_system_user(self) -> None:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
        shutil.chown(self.directory, user=SYSTEM_USER)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default database."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL of one database in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> PgCluster:
        """initdb and start; returns self."""
        if self.as_root:
            self._ensure_system_user()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = self.directory / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")
        return self

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (optionally copied from a template) and return its URL."""
        args = ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        if template:
            args += ["-T", template]
        self._run(*args, name)
        return self.url_for(name)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        if self.data.exists():
            with contextlib.suppress(ClusterUnavailable):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    """Start a cluster, print its URL and keep it until Ctrl-C."""
    with PgCluster() as cluster:
        print(cluster.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
