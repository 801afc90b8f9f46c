"""Issue #13: the message-check event kinds are accepted with a verdict or signal id in 'target', refused
otherwise, and counted with the same suppression as every other kind (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.api.api_support import event

pytestmark = pytest.mark.app_env

WEEK = "2026-11-16"  # Monday of the pinned week (tests/api/conftest.py pins today to the 18th)


def test_message_checked_with_a_verdict_is_accepted(client, ingest_headers):
    payload = event(day=WEEK, kind="message_checked", topic="bericht_controleren", target="likely_scam")
    assert client.post("/api/v1/events", json=payload, headers=ingest_headers).status_code == 201


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "message_checked", "target": "veilig"},
        {"kind": "message_checked", "target": None},
        {"kind": "message_signal", "target": None},
        {"kind": "message_signal", "target": "Niet Snake"},
    ],
)
def test_message_check_events_without_a_valid_target_are_refused(client, ingest_headers, fields):
    payload = event(day=WEEK, topic="bericht_controleren", **fields)
    assert client.post("/api/v1/events", json=payload, headers=ingest_headers).status_code == 422


def test_verdict_counts_are_suppressed_like_every_count(client, ingest_headers, read_headers, publish_later):
    batch = [event(day=WEEK, kind="message_checked", target="likely_scam") for _ in range(23)]
    batch += [event(day=WEEK, kind="message_checked", target="no_signals") for _ in range(4)]
    batch += [event(day=WEEK, kind="message_signal", target="link_lijkt_op") for _ in range(12)]
    assert client.post("/api/v1/events", json=batch, headers=ingest_headers).status_code == 201
    publish_later()
    params = {"from": WEEK, "to": WEEK, "period": "week", "by": "target", "kind": "message_checked"}
    body = client.get("/api/v1/stats", params=params, headers=read_headers).json()
    totals = {t["value"]: t["shown"] for t in body["value_totals"]}
    assert totals["no_signals"] == "<10"
    assert "link_lijkt_op" not in totals  # signals are their own kind
    params["kind"] = "message_signal"
    body = client.get("/api/v1/stats", params=params, headers=read_headers).json()
    assert {t["value"]: t["shown"] for t in body["value_totals"]} == {"link_lijkt_op": "10"}
