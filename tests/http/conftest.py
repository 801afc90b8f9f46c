"""Starts the real stack (trained model, Rasa, action server) once for the HTTP tests, on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scripts.stack import start_stack
from tests.http.chat_support import Chat

# Wednesday evening 26 November 2025: the next Tuesday is 2 December, the Informatiepunt is closed.
PINNED_NOW = "2025-11-26T19:00:00+01:00"


@pytest.fixture(scope="session")
def stack() -> Iterator[Any]:
    running = start_stack(extra_env={"WEGWIJZER_NOW": PINNED_NOW})
    yield running
    running.stop_all()


@pytest.fixture(scope="session")
def client(stack: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.rasa_url, timeout=30) as http:
        yield http


@pytest.fixture()
def chat(client: httpx.Client, request: pytest.FixtureRequest) -> Chat:
    return Chat(client, f"test-{request.node.name}")
