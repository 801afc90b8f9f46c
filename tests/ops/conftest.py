"""Fixtures for the operations tests: a throwaway PostgreSQL cluster from scripts/pg_cluster.py, shared by the
tests of one session. Standard library and pytest only, so both environments can load it (test_exposure.py runs
in the app environment, test_retention.py and test_scale.py in the Rasa environment)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ops_support import load_script


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    pg = load_script("pg_cluster")
    try:
        cluster = pg.PgCluster().start()
    except pg.ClusterUnavailable as exc:
        pytest.skip(f"POSTGRESQL UNAVAILABLE: {exc}")
    yield cluster
    cluster.stop()
