"""Fixtures for the adapter tests: loopback fakes of Rasa, the Bot API and the Graph API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.bot.adapter_fakes import FakeBotApi, FakeGraph, FakeRasa, ThreadServer

_Fake = TypeVar("_Fake", FakeRasa, FakeBotApi, FakeGraph)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def fixture_json() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    return load


def _served(fake: _Fake) -> Iterator[_Fake]:
    """Serve ``fake`` on a loopback port for one test; ``fake.url`` names it while it runs."""
    with ThreadServer(fake.app()) as server:
        fake.url = server.url  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    yield from _served(FakeRasa())


@pytest.fixture
def fake_bot_api() -> Iterator[FakeBotApi]:
    yield from _served(FakeBotApi())


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    yield from _served(FakeGraph())


@pytest.fixture
def pseudonym_key() -> bytes:
    return b"test-pseudonym-key-0123456789abcdef"
