"""Fixtures for the operations tests: a throwaway PostgreSQL cluster (scripts/pg_cluster.py) and a throwaway
Redis, each shared by the tests of one session. Standard library and pytest only, so both environments can load
it (test_exposure.py and test_deploy.py run in the app environment, the others in the Rasa environment)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from scripts import stack as stack_script
from tests.ci_support import unavailable
from tests.ops.ops_support import redis_argv, redis_ping, wait_until
from tests.pg_support import throwaway_pg_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    yield from throwaway_pg_cluster(lambda exc: unavailable(f"POSTGRESQL UNAVAILABLE: {exc}"))


@pytest.fixture(scope="session")
def redis_port() -> Iterator[int]:
    """A throwaway Redis on 127.0.0.1 (no persistence), from Debian's redis-server."""
    port = stack_script.free_port()
    try:
        argv = redis_argv(port)
    except RuntimeError as exc:
        unavailable(f"REDIS UNAVAILABLE: {exc} (make redis-server installs it)")
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        assert wait_until(lambda: redis_ping(port), 20), "redis-server did not answer PING"
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
