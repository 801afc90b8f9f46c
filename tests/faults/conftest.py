"""One real stack for all fault drills: Rasa (SQL tracker store on PostgreSQL, Redis lock store, HTTP API
on for reading trackers), the action server, the reach API and the outbox relay, on free ports.

Every drill takes one part away and brings it back before it ends, so the drills share the stack and
its start-up cost (loading the model) is paid once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.messages import load_fixed_texts
from bot.rasa_client import RasaClient
from bot.settings import RasaSettings
from scripts import stack as stack_script
from tests.faults.fault_support import (
    PINNED_NOW,
    TRACKER_TOKEN,
    Drill,
    backing_services,
    temp_dir,
    write_endpoints,
)


@pytest.fixture(scope="session")
def drill() -> Iterator[Drill]:
    with backing_services() as (postgres, redis):
        endpoints = write_endpoints(temp_dir("wegwijzer-faults-"), postgres.port, redis.port)
        stack = stack_script.start_custom_stack(
            with_api=True,
            extra_env={"WEGWIJZER_NOW": PINNED_NOW, "RELAY_MAX_BACKOFF": "2", "RELAY_BASE_BACKOFF": "0.2"},
            endpoints=str(endpoints),
            rasa_args=("--enable-api", "--auth-token", TRACKER_TOKEN),
        )
        try:
            yield Drill(stack, postgres, redis)
        finally:
            stack.stop_all()


@pytest.fixture(scope="session")
def apology() -> str:
    """The fixed text residents get when the bot cannot answer."""
    return load_fixed_texts().get("rasa_unavailable")


@pytest.fixture()
async def adapter_client(drill: Drill, apology: str) -> AsyncIterator[RasaClient]:
    async with httpx.AsyncClient() as http:
        settings = RasaSettings(url=drill.rasa_url, timeout_seconds=10)
        yield RasaClient(http, settings, apology)
