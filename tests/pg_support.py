"""The throwaway PostgreSQL cluster (scripts/pg_cluster.py) as the API and operations fixtures use it.

Standard library, pytest and scripts/ only, so both environments can load it; each directory keeps its own
answer to a cluster that will not start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NoReturn

from scripts.pg_cluster import ClusterUnavailable, PgCluster


def throwaway_pg_cluster(when_unavailable: Callable[[ClusterUnavailable], NoReturn]) -> Iterator[PgCluster]:
    """Start a cluster, yield it and stop it: the body of a session fixture (``yield from`` it).

    ``when_unavailable`` gets the reason a cluster could not start and must fail or skip.
    """
    try:
        cluster = PgCluster().start()
    except ClusterUnavailable as error:
        when_unavailable(error)
    yield cluster
    cluster.stop()
