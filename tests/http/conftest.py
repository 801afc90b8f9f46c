"""Starts the real stack (trained model, Rasa, action server) once for the HTTP tests, on free ports."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stack_module() -> Any:
    spec = importlib.util.spec_from_file_location("wegwijzer_stack", ROOT / "scripts" / "stack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["wegwijzer_stack"] = module
    spec.loader.exec_module(module)
    return module


# Wednesday evening 26 November 2025: the next Tuesday is 2 December, the Informatiepunt is closed.
PINNED_NOW = "2025-11-26T19:00:00+01:00"


@pytest.fixture(scope="session")
def stack() -> Iterator[Any]:
    module = _stack_module()
    running = module.start_stack(extra_env={"WEGWIJZER_NOW": PINNED_NOW})
    yield running
    running.stop_all()


@pytest.fixture(scope="session")
def client(stack: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.rasa_url, timeout=30) as http:
        yield http


class Chat:
    """One resident's conversation over the REST webhook."""

    def __init__(self, client: httpx.Client, sender: str) -> None:
        self.client = client
        self.sender = sender

    def say(self, message: str) -> list[dict[str, Any]]:
        reply = self.client.post("/webhooks/rest/webhook", json={"sender": self.sender, "message": message})
        assert reply.status_code == 200, reply.text
        return reply.json()


@pytest.fixture()
def chat(client: httpx.Client, request: pytest.FixtureRequest) -> Chat:
    return Chat(client, f"test-{request.node.name}")


def joined(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons") or []]
