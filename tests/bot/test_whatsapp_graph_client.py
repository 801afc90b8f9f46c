from typing import Any

import httpx
import pytest

from bot.settings import WhatsAppSettings
from bot.whatsapp.graph_client import GraphClient, SendOutcome
from bot.whatsapp.render import text_message
from tests.bot.adapter_fakes import FakeGraph, free_port_url, graph_error


def client_for(graph: FakeGraph, http: httpx.AsyncClient, **overrides: Any) -> GraphClient:
    values: dict[str, Any] = {
        "access_token": graph.token,
        "phone_number_id": graph.phone_number_id,
        "api_version": graph.version,
        "graph_base_url": graph.url,  # type: ignore[attr-defined]
    }
    values.update(overrides)
    return GraphClient(http, WhatsAppSettings(**values), retry_delay_seconds=0.01)


@pytest.mark.parametrize(
    ("failures", "outcome", "attempts"),
    [
        ([], SendOutcome.SENT, 1),
        ([graph_error(131047, "Re-engagement message")], SendOutcome.WINDOW_CLOSED, 1),
        ([graph_error(131009, "Parameter value is not valid")], SendOutcome.REJECTED, 1),
        ([graph_error(2, "Service temporarily unavailable", 503)], SendOutcome.SENT, 2),
        ([graph_error(130429, "Rate limit hit", 429)] * 2, SendOutcome.REJECTED, 2),
        ([graph_error(1, "Unknown error", 500)] * 2, SendOutcome.FAILED, 2),
    ],
)
async def test_send_outcomes(
    fake_graph: FakeGraph,
    failures: list[tuple[int, dict[str, Any]]],
    outcome: SendOutcome,
    attempts: int,
) -> None:
    for status, body in failures:
        fake_graph.fail_next(status, body)
    async with httpx.AsyncClient() as http:
        result = await client_for(fake_graph, http).send("31600000001", text_message("Hallo"))
    assert result is outcome
    assert fake_graph.attempts == attempts


async def test_wrong_token_is_rejected(fake_graph: FakeGraph) -> None:
    async with httpx.AsyncClient() as http:
        result = await client_for(fake_graph, http, access_token="wrong").send("316", text_message("x"))
    assert result is SendOutcome.REJECTED


async def test_unreachable_graph_fails_after_one_retry() -> None:
    graph = FakeGraph()
    graph.url = free_port_url()  # type: ignore[attr-defined]
    async with httpx.AsyncClient() as http:
        assert await client_for(graph, http).send("316", text_message("x")) is SendOutcome.FAILED


async def test_slow_graph_times_out(fake_graph: FakeGraph) -> None:
    fake_graph.delay_seconds = 2
    async with httpx.AsyncClient() as http:
        client = client_for(fake_graph, http, graph_timeout_seconds=0.2)
        assert await client.send("316", text_message("x")) is SendOutcome.FAILED
