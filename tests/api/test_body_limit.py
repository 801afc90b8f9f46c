"""A request body over the API's cap is refused with 413 before it is read whole; nothing of it is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.models import Event
from tests.api.api_support import event


def _stored(client: TestClient) -> int:
    with client.app.state.ctx.sessions() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def _oversized_batch(client: TestClient) -> bytes:
    limit = client.app.state.ctx.settings.max_body_bytes  # type: ignore[attr-defined]
    batch = [event(topic="digid_aanvragen") for _ in range(500)]
    body = json.dumps(batch).encode()
    # A valid batch made longer with whitespace: only its size is wrong, so only the cap can refuse it.
    return body[:-1] + b" " * (limit + 1 - len(body)) + b"]"


def test_a_declared_oversized_body_gets_413(client: TestClient, ingest_headers: dict[str, str]) -> None:
    body = _oversized_batch(client)
    answer = client.post(
        "/api/v1/events", content=body, headers={**ingest_headers, "content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert "request body larger than" in answer.json()["detail"]
    assert _stored(client) == 0


def test_a_streamed_oversized_body_gets_413(client: TestClient, ingest_headers: dict[str, str]) -> None:
    body = _oversized_batch(client)

    def chunks() -> Iterator[bytes]:  # no content-length: the cap must count what arrives
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    answer = client.post(
        "/api/v1/events", content=chunks(), headers={**ingest_headers, "content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert _stored(client) == 0


def test_a_full_batch_fits_under_the_cap(client: TestClient, ingest_headers: dict[str, str]) -> None:
    batch = [event() for _ in range(500)]
    answer = client.post("/api/v1/events", json=batch, headers=ingest_headers)
    assert answer.status_code in (200, 201), answer.text
    assert _stored(client) == 500
