"""Fixtures for the outbox and relay tests (Rasa environment, Python 3.10): a private outbox
file per test, and a real API process from the app environment on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.outbox.outbox_support import ApiProcess, RelayProcess, private_outbox, relay_env


@pytest.fixture
def outbox_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from private_outbox(tmp_path, monkeypatch)


@pytest.fixture
def api_process(tmp_path: Path) -> Iterator[ApiProcess]:
    api = ApiProcess(database=tmp_path / "api.sqlite3", log=tmp_path / "api.log")
    yield api
    api.stop()


@pytest.fixture
def relay_process(outbox_file: Path, api_process: ApiProcess, tmp_path: Path):
    env = relay_env(outbox_file, api_process.url, api_process.ingest_key)
    relay = RelayProcess(env=env, log=tmp_path / "relay.log")
    yield relay
    relay.stop()
