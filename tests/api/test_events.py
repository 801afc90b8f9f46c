"""Ingest: validation, idempotency and API-key checks, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.models import Event
from tests.api.api_support import days_ago, event, make_settings

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


def test_ingest_works_with_info_logging_on(client, ingest_headers, caplog):
    # arrange: an operator who turns INFO logging on must not turn every ingest into a 500
    payload = event(day=days_ago(1))
    # act
    with caplog.at_level(logging.INFO, logger="api"):
        answer = client.post("/api/v1/events", json=payload, headers=ingest_headers)
    # assert
    assert answer.status_code == 201
    assert "events ingested" in caplog.messages


def test_batch_counts_new_and_repeated_events(client, ingest_headers):
    known = event(day=days_ago(2))
    client.post("/api/v1/events", json=known, headers=ingest_headers)
    fresh = [event(day=days_ago(2)) for _ in range(4)]

    response = client.post("/api/v1/events", json=[known, *fresh, fresh[0]], headers=ingest_headers)

    assert response.status_code == 201
    assert response.json() == {"received": 6, "created": 4, "duplicates": 2}
    assert _stored(client) == 5


def test_each_event_keeps_the_key_that_wrote_it(client, ingest_headers):
    from api.keys import create_key

    ctx = client.app.state.ctx
    with ctx.sessions() as session, session.begin():
        row, plaintext = create_key(session, name="leaked", scope="ingest")
    ctx.keyring.invalidate()
    client.post("/api/v1/events", json=[event(), event()], headers=ingest_headers)
    client.post("/api/v1/events", json=[event()], headers={"X-API-Key": plaintext})

    with ctx.sessions() as session:
        refs = sorted(ref for (ref,) in session.execute(select(Event.key_ref)))
    assert refs == [f"db:{row.id}", "env:ingest:0", "env:ingest:0"]


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
        ({"helpful": True}, "helpful"),
        ({"target": "onbekend_loket"}, "target"),
        ({"topic": "geen_onderwerp"}, "topic"),
        ({"day": "2026-11-01"}, "day"),
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


def test_a_topic_added_to_the_content_is_accepted_without_a_restart(database_url, tmp_path, ingest_headers):
    import shutil
    import time
    from pathlib import Path

    from api.main import create_app

    content = tmp_path / "knowledge"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "knowledge", content, ignore=shutil.ignore_patterns("*.py")
    )
    app = create_app(make_settings(database_url, content_dir=str(content)))
    new_topic = event(topic="nieuw_onderwerp")
    with TestClient(app) as local:
        before = local.post("/api/v1/events", json=new_topic, headers=ingest_headers)
        text = (content / "topics" / "email.yml").read_text(encoding="utf-8")
        (content / "topics" / "nieuw_onderwerp.yml").write_text(
            text.replace("id: email", "id: nieuw_onderwerp"), encoding="utf-8"
        )
        deadline = time.monotonic() + 10
        after = local.post("/api/v1/events", json=new_topic, headers=ingest_headers)
        while after.status_code != 201 and time.monotonic() < deadline:
            time.sleep(0.5)  # the content is looked at again at most every 2 s (knowledge/catalog_cache.py)
            after = local.post("/api/v1/events", json=new_topic, headers=ingest_headers)
    app.state.ctx.engine.dispose()
    assert before.status_code == 422
    assert after.status_code == 201, after.text


def test_known_target_and_municipality_are_accepted(client, ingest_headers):
    payload = event(kind="referred", target="digid_helpdesk", gemeente="simpelveld")
    assert client.post("/api/v1/events", json=payload, headers=ingest_headers).status_code == 201


def test_an_event_older_than_the_window_is_refused(client, ingest_headers):
    accepted = client.post("/api/v1/events", json=event(day=days_ago(7)), headers=ingest_headers)
    refused = client.post("/api/v1/events", json=event(day=days_ago(8)), headers=ingest_headers)
    assert accepted.status_code == 201
    assert refused.status_code == 422
    assert "more than 7 days" in refused.json()["detail"][0]["msg"]


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
