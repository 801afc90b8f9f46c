"""Starts the whole counting path for end-to-end tests: actions, Rasa, the reach API and the outbox relay."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stack_module() -> Any:
    spec = importlib.util.spec_from_file_location("wegwijzer_stack", ROOT / "scripts" / "stack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["wegwijzer_stack"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def full_stack() -> Iterator[Any]:
    # Pinned to a Wednesday so the events' day is fixed too.
    running = _stack_module().start_stack(
        with_api=True,
        extra_env={"WEGWIJZER_NOW": "2025-11-26T19:00:00+01:00", "RELAY_POLL_INTERVAL": "0.2"},
    )
    yield running
    running.stop_all()
