"""Statistics endpoints: protected counts as JSON and CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from api_support import event

WEEK_1 = "2026-11-02"  # a Monday
WEEK_2 = "2026-11-10"  # Tuesday of the next week

pytestmark = pytest.mark.app_env


def _send(client, headers, events):
    response = client.post("/api/v1/events", json=events, headers=headers)
    assert response.status_code == 201


def _referrals(target, gemeente, day, n):
    return [
        event(kind="referred", target=target, gemeente=gemeente, day=day, topic="toeslagen") for _ in range(n)
    ]


def test_counts_per_week_by_target_are_protected(client, ingest_headers, read_headers):
    _send(client, ingest_headers, _referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    _send(client, ingest_headers, _referrals("belastingtelefoon", "brunssum", WEEK_1, 4))
    _send(client, ingest_headers, _referrals("informatiepunt", "kerkrade", WEEK_2, 31))

    response = client.get(
        "/api/v1/stats",
        params={"from": WEEK_1, "to": WEEK_2, "period": "week", "by": "target", "kind": "referred"},
        headers=read_headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-11-02" and body["to"] == "2026-11-15"
    assert body["values"] == ["belastingtelefoon", "informatiepunt"]
    cells = {(c["period_start"], c["value"]): c["shown"] for c in body["cells"]}
    assert cells[("2026-11-02", "belastingtelefoon")] == "<10"
    assert cells[("2026-11-02", "informatiepunt")] == "x"  # else 27 - 23 gives the 4 away
    assert cells[("2026-11-09", "informatiepunt")] == "30"
    assert cells[("2026-11-09", "belastingtelefoon")] == "0"
    totals = {t["value"]: t["shown"] for t in body["value_totals"]}
    # the column total 54 would give the 23 (and so the 4) away: it is hidden instead of a cell
    assert totals["informatiepunt"] == "x"
    assert totals["belastingtelefoon"] == "<10"
    assert [t["shown"] for t in body["period_totals"]] == ["25", "30"]
    assert body["total"]["shown"] == "60"
    assert all(c["count"] is None or c["count"] == 0 or c["count"] >= 10 for c in body["cells"])


def test_month_period_and_kind_breakdown(client, ingest_headers, read_headers):
    _send(client, ingest_headers, [event(day="2026-10-30") for _ in range(12)])
    not_understood = [event(day="2026-11-03", kind="not_understood") for _ in range(15)]
    _send(client, ingest_headers, not_understood)

    body = client.get(
        "/api/v1/stats",
        params={"from": "2026-10-01", "to": "2026-11-30", "period": "month", "by": "kind"},
        headers=read_headers,
    ).json()

    assert body["periods"] == ["2026-10-01", "2026-11-01"]
    totals = {t["value"]: t["shown"] for t in body["value_totals"]}
    assert totals["answered"] == "10"
    assert totals["not_understood"] == "15"
    assert totals["referred"] == "0"


def test_missing_gemeente_is_its_own_value(client, ingest_headers, read_headers):
    _send(client, ingest_headers, [event(day=WEEK_1, gemeente=None) for _ in range(20)])
    body = client.get(
        "/api/v1/stats",
        params={"from": WEEK_1, "to": WEEK_1, "by": "gemeente"},
        headers=read_headers,
    ).json()
    assert body["values"][-1] is None
    assert body["value_totals"][-1]["shown"] == "20"


def test_csv_has_the_same_numbers(client, ingest_headers, read_headers):
    _send(client, ingest_headers, _referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    _send(client, ingest_headers, _referrals("e_cafe", "simpelveld", WEEK_1, 2))
    params = {"from": WEEK_1, "to": WEEK_1, "by": "gemeente", "kind": "referred"}

    as_json = client.get("/api/v1/stats", params=params, headers=read_headers).json()
    as_csv = client.get("/api/v1/stats.csv", params=params, headers=read_headers)

    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    cells = {r["value"]: r["count"] for r in rows if r["period_start"] == "2026-11-02"}
    for cell in as_json["cells"]:
        assert cells[cell["value"] or ""] == cell["shown"]
    assert cells["simpelveld"] == "<10"
    assert rows[-1] == {"period_start": "total", "by": "gemeente", "value": "total", "count": "25"}


def test_stats_need_a_read_key(client, ingest_headers):
    assert client.get("/api/v1/stats").status_code == 401
    assert client.get("/api/v1/stats", headers=ingest_headers).status_code == 403
    assert client.get("/api/v1/stats.csv", headers=ingest_headers).status_code == 403


def test_bad_ranges_and_values_are_refused(client, read_headers):
    reversed_range = client.get(
        "/api/v1/stats", params={"from": "2026-11-10", "to": "2026-11-01"}, headers=read_headers
    )
    too_long = client.get(
        "/api/v1/stats", params={"from": "2020-01-01", "to": "2026-11-01"}, headers=read_headers
    )
    bad_by = client.get("/api/v1/stats", params={"by": "sender"}, headers=read_headers)
    assert reversed_range.status_code == 400
    assert "from" in reversed_range.json()["detail"]
    assert too_long.status_code == 400
    assert bad_by.status_code == 422


def test_default_range_is_twelve_weeks(client, read_headers):
    body = client.get("/api/v1/stats", headers=read_headers).json()
    assert len(body["periods"]) == 12
