"""Alembic: upgrade from an empty database to head, down to base, and up again."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import create_engine, inspect

from api import db
from api.models import Base

_numbers = itertools.count()

pytestmark = pytest.mark.app_env


@pytest.fixture
def empty_database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.create_database(f"empty_{next(_numbers)}"))


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database_url):
    db.upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables)

    db.downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == set()

    db.upgrade(empty_database_url)
    assert _tables(empty_database_url) == {"event", "api_key", "release", "content_edit"}


def test_migrations_match_the_models(empty_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db.upgrade(empty_database_url)
    engine = db.make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
