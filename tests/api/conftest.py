"""Fixtures for the API tests: every test gets its own migrated database, on real SQLite and on
a throwaway PostgreSQL cluster (scripts/pg_cluster.py). Run with the app environment."""

from __future__ import annotations

import itertools
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from fastapi.testclient import TestClient

from api import db
from api.main import create_app
from api.settings import ApiSettings
from tests.api.api_support import INGEST_KEY, READ_KEY, make_settings
from tests.ci_support import unavailable
from tests.pg_support import throwaway_pg_cluster

REPO_ROOT = Path(__file__).resolve().parents[2]
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    yield from throwaway_pg_cluster(_postgresql_not_tested)


def _postgresql_not_tested(error: Exception) -> NoReturn:
    """Fail when WEGWIJZER_REQUIRE_PG=1, else warn and let ``unavailable`` fail (CI) or skip."""
    message = f"PostgreSQL NOT TESTED: {error}"
    if os.environ.get("WEGWIJZER_REQUIRE_PG") == "1":
        pytest.fail(message)
    warnings.warn(message, stacklevel=1)
    unavailable(message)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(backend: str, request: pytest.FixtureRequest) -> str:
    cluster = request.getfixturevalue("pg_cluster")
    name = "wegwijzer_template"
    db.upgrade(cluster.create_database(name))
    return name


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for this test alone."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "api.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    cluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    return str(cluster.create_database(f"test_{next(_database_numbers)}", template=template))


@pytest.fixture
def settings(database_url: str) -> ApiSettings:
    return make_settings(database_url)


@pytest.fixture
def client(settings: ApiSettings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.engine.dispose()


@pytest.fixture
def ingest_headers() -> dict[str, str]:
    return {"X-API-Key": INGEST_KEY}


@pytest.fixture
def read_headers() -> dict[str, str]:
    return {"X-API-Key": READ_KEY}


@pytest.fixture(autouse=True)
def _no_inherited_api_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from each test, never from the shell: `make` exports its development defaults
    (API_INGEST_KEY=dev-…-change-me, API_DATABASE_URL, …), which would otherwise leak into ApiSettings."""
    for name in list(os.environ):
        if name.startswith("API_") or name == "APP_ENV":
            monkeypatch.delenv(name)


INGEST_DAY = "2026-11-18T12:00:00+01:00"  # a Wednesday; api_support.event() uses Monday 2026-11-16


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's clock (knowledge/clock.py) is pinned, so the day window and the settled periods do not depend
    on the date the tests run. Tests that read published figures move it on with ``publish_later``."""
    monkeypatch.setenv("WEGWIJZER_NOW", INGEST_DAY)


@pytest.fixture
def publish_later(monkeypatch: pytest.MonkeyPatch):
    """Move the clock on to a day on which the given day's week and month are settled."""

    def move(to: str = "2027-01-15T12:00:00+01:00") -> None:
        monkeypatch.setenv("WEGWIJZER_NOW", to)

    return move
