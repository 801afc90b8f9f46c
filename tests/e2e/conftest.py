"""Starts the whole counting path for end-to-end tests: actions, Rasa, the reach API and the outbox relay."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scripts.stack import start_stack


@pytest.fixture(scope="module")
def full_stack() -> Iterator[Any]:
    # Pinned to a Wednesday so the events' day is fixed too.
    running = start_stack(
        with_api=True,
        extra_env={"WEGWIJZER_NOW": "2025-11-26T19:00:00+01:00", "RELAY_POLL_INTERVAL": "0.2"},
    )
    yield running
    running.stop_all()
