"""A 500-message fuzz smoke run in `make test` (the full 10,000-message run is `make fuzz`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fuzz.run_fuzz import check_processes, run, start_fuzz_stack


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Any]:
    stack = start_fuzz_stack()
    yield stack
    stack.stop_all()


async def test_500_fuzz_messages_all_answered_no_payload_gets_through(fuzz_stack: Any) -> None:
    # act
    report = await run(fuzz_stack.rasa_url, count=500, seed=60, concurrency=8)
    check_processes(fuzz_stack, report)
    # assert
    assert report.sent == 500
    assert report.families["payload"] > 50
    assert report.failures == []
    assert report.crashed == []
