"""Ingest: validation, idempotency and API-key checks, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_support import days_ago, event, make_settings
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.models import Event, EventCount

pytestmark = pytest.mark.app_env


def _stored(client: TestClient) -> int:
    with client.app.state.ctx.sessions() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def test_single_event_is_created_then_duplicate(client, ingest_headers):
    # arrange
    payload = event(day=days_ago(1))
    # act
    first = client.post("/api/v1/events", json=payload, headers=ingest_headers)
    again = client.post("/api/v1/events", json=payload, headers=ingest_headers)
    # assert
    assert first.status_code == 201
    assert first.json() == {"received": 1, "created": 1, "duplicates": 0}
    assert again.status_code == 200
    assert again.json() == {"received": 1, "created": 0, "duplicates": 1}
    assert _stored(client) == 1


def test_batch_counts_new_and_repeated_events(client, ingest_headers):
    known = event(day=days_ago(2))
    client.post("/api/v1/events", json=known, headers=ingest_headers)
    fresh = [event(day=days_ago(2)) for _ in range(4)]

    response = client.post("/api/v1/events", json=[known, *fresh, fresh[0]], headers=ingest_headers)

    assert response.status_code == 201
    assert response.json() == {"received": 6, "created": 4, "duplicates": 2}
    assert _stored(client) == 5


def test_duplicates_do_not_change_running_counts(client, ingest_headers):
    batch = [event(day=days_ago(3), kind="referred", target="informatiepunt") for _ in range(3)]
    client.post("/api/v1/events", json=batch, headers=ingest_headers)
    client.post("/api/v1/events", json=batch, headers=ingest_headers)

    with client.app.state.ctx.sessions() as session:
        total = session.scalar(
            select(func.sum(EventCount.n)).where(EventCount.period == "week", EventCount.dimension == "target")
        )
    assert total == 3


def test_concurrent_redelivery_is_counted_once(client, ingest_headers):
    batch = [event(day=days_ago(1)) for _ in range(50)]

    def send(_: int) -> int:
        return client.post("/api/v1/events", json=batch, headers=ingest_headers).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(send, range(8)))

    assert set(codes) <= {200, 201}
    assert codes.count(201) >= 1
    assert _stored(client) == 50


def test_batch_of_more_than_500_is_refused(client, ingest_headers):
    response = client.post("/api/v1/events", json=[event() for _ in range(501)], headers=ingest_headers)
    assert response.status_code == 422
    assert _stored(client) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sender_id": "abc"}, "sender_id"),
        ({"text": "mijn BSN is ..."}, "text"),
        ({"kind": "clicked"}, "kind"),
        ({"channel": "email"}, "channel"),
        ({"gemeente": "heerlen"}, "gemeente"),
        ({"target": "Not Snake"}, "target"),
        ({"target": "a" * 65}, "target"),
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"day": "2026-11-16T10:15:00"}, "day"),
        ({"day": 1763251200}, "day"),
        ({"helpful": True}, "event"),
    ],
)
def test_invalid_event_is_refused_with_the_field_named(client, ingest_headers, change, field):
    response = client.post("/api/v1/events", json=event(**change), headers=ingest_headers)

    assert response.status_code == 422
    locations = [error["loc"] for error in response.json()["detail"]]
    assert any(field in location for location in locations), locations
    assert _stored(client) == 0


def test_feedback_needs_helpful(client, ingest_headers):
    missing = client.post("/api/v1/events", json=event(kind="feedback"), headers=ingest_headers)
    given = client.post("/api/v1/events", json=event(kind="feedback", helpful=False), headers=ingest_headers)
    assert missing.status_code == 422
    assert "helpful" in missing.json()["detail"][0]["msg"]
    assert given.status_code == 201


def test_unknown_topic_is_refused_and_nothing_of_the_batch_stored(client, ingest_headers):
    batch = [event(), event(topic="digid_aanvragen_oud"), event()]

    response = client.post("/api/v1/events", json=batch, headers=ingest_headers)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "events", 1, "topic"]
    assert "digid_aanvragen_oud" in error["msg"]
    assert _stored(client) == 0


def test_topic_ids_come_from_knowledge_files(database_url, tmp_path, ingest_headers):
    from api.main import create_app

    (tmp_path / "nieuw_onderwerp.yml").write_text("id: nieuw_onderwerp\n", encoding="utf-8")
    app = create_app(make_settings(database_url, topics_dir=str(tmp_path)))
    with TestClient(app) as local:
        accepted = local.post("/api/v1/events", json=event(topic="nieuw_onderwerp"), headers=ingest_headers)
        refused = local.post("/api/v1/events", json=event(), headers=ingest_headers)
    app.state.ctx.engine.dispose()
    assert accepted.status_code == 201
    assert refused.status_code == 422


def test_future_day_is_refused(client, ingest_headers):
    response = client.post("/api/v1/events", json=event(day="2999-01-01"), headers=ingest_headers)
    assert response.status_code == 422
    assert "future" in response.json()["detail"][0]["msg"]


def test_missing_key_is_401_with_challenge(client):
    response = client.post("/api/v1/events", json=event())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "APIKey"


def test_unknown_key_is_401(client):
    response = client.post("/api/v1/events", json=event(), headers={"X-API-Key": "guess"})
    assert response.status_code == 401


def test_read_key_cannot_ingest(client, read_headers):
    response = client.post("/api/v1/events", json=event(), headers=read_headers)
    assert response.status_code == 403
    assert _stored(client) == 0


def test_database_key_works_until_revoked(client):
    from api.keys import create_key, revoke_key

    ctx = client.app.state.ctx
    with ctx.sessions() as session, session.begin():
        row, plaintext = create_key(session, name="relay", scope="ingest")
    ctx.keyring.invalidate()
    headers = {"X-API-Key": plaintext}
    accepted = client.post("/api/v1/events", json=event(), headers=headers)

    with ctx.sessions() as session, session.begin():
        revoke_key(session, row.id)
    ctx.keyring.invalidate()
    refused = client.post("/api/v1/events", json=event(), headers=headers)

    assert accepted.status_code == 201
    assert refused.status_code == 401


def test_health_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_event_ids_are_stored_as_given(client, ingest_headers):
    event_id = uuid.uuid4()
    client.post("/api/v1/events", json=event(event_id=str(event_id)), headers=ingest_headers)
    with client.app.state.ctx.sessions() as session:
        stored = session.scalar(select(Event.event_id))
    assert stored == event_id
