"""Statistics endpoints: protected counts of settled periods as JSON and CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from tests.api.api_support import event

WEEK_1 = "2026-11-02"  # a Monday
WEEK_2 = "2026-11-10"  # Tuesday of the next week
LATER = "2027-01-15T12:00:00+01:00"  # both weeks and their months are settled by then

pytestmark = pytest.mark.app_env


@pytest.fixture
def send(client, ingest_headers, monkeypatch):
    """Post events with the clock on their own day, as the relay would deliver them."""

    def post(events: list[dict]) -> None:
        for day in sorted({e["day"] for e in events}):
            monkeypatch.setenv("WEGWIJZER_NOW", f"{day}T12:00:00+01:00")
            batch = [e for e in events if e["day"] == day]
            response = client.post("/api/v1/events", json=batch, headers=ingest_headers)
            assert response.status_code == 201, response.text

    return post


def _referrals(target, gemeente, day, n):
    return [
        event(kind="referred", target=target, gemeente=gemeente, day=day, topic="toeslagen") for _ in range(n)
    ]


def _get(client, headers, **params):
    response = client.get("/api/v1/stats", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_period_is_published_only_when_it_is_settled(client, send, read_headers, monkeypatch):
    send([event(day="2026-11-16") for _ in range(15)])  # Monday of week 47; the week ends on 22 November
    params = {"from": "2026-11-16", "to": "2026-11-22", "period": "week", "by": "kind"}

    monkeypatch.setenv("WEGWIJZER_NOW", "2026-11-29T12:00:00+01:00")  # an event of the 22nd is still accepted
    open_week = _get(client, read_headers, **params)
    monkeypatch.setenv("WEGWIJZER_NOW", "2026-11-30T12:00:00+01:00")
    settled = _get(client, read_headers, **params)

    assert open_week["periods"] == [] and open_week["cells"] == []
    assert open_week["published_until"] == "2026-11-15"
    assert settled["periods"] == ["2026-11-16"]
    assert {c["value"]: c["shown"] for c in settled["cells"]}["answered"] == "15"


def test_counts_per_week_by_target_are_protected(client, send, read_headers, publish_later):
    send(_referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    send(_referrals("belastingtelefoon", "brunssum", WEEK_1, 4))
    send(_referrals("informatiepunt", "kerkrade", WEEK_2, 31))
    publish_later(LATER)

    body = _get(client, read_headers, **{"from": WEEK_1, "to": WEEK_2, "by": "target", "kind": "referred"})

    assert body["from"] == "2026-11-02" and body["to"] == "2026-11-15"
    assert body["values"] == ["belastingtelefoon", "informatiepunt"]
    cells = {(c["period_start"], c["value"]): c for c in body["cells"]}
    assert cells[("2026-11-02", "belastingtelefoon")]["shown"] == "<10"
    # 23 and the week's total 27 (shown as 25) would pin the 4 to 1..4: one of them is hidden as well
    week_1 = [cells[("2026-11-02", "informatiepunt")], body["period_totals"][0]]
    assert any(c["hidden"] == "secondary" for c in week_1)
    assert cells[("2026-11-09", "informatiepunt")]["shown"] == "30"
    assert cells[("2026-11-09", "belastingtelefoon")]["shown"] == "0"
    assert all(c["count"] is None or c["count"] == 0 or c["count"] >= 10 for c in body["cells"])
    totals = {t["value"]: t for t in body["value_totals"]}
    assert totals["informatiepunt"]["hidden"] == "partial"  # a sum over weeks with a hidden part
    assert totals["informatiepunt"]["shown"].startswith("≥ ")


def test_month_period_and_kind_breakdown(client, send, read_headers, publish_later):
    send([event(day="2026-10-30") for _ in range(12)])
    send([event(day="2026-11-03", kind="not_understood") for _ in range(15)])
    publish_later(LATER)

    body = _get(
        client, read_headers, **{"from": "2026-10-01", "to": "2026-11-30", "period": "month", "by": "kind"}
    )

    assert body["periods"] == ["2026-10-01", "2026-11-01"]
    totals = {t["value"]: t["shown"] for t in body["value_totals"]}
    assert totals["answered"] == "10"
    assert totals["not_understood"] == "15"
    assert totals["referred"] == "0"


def test_missing_gemeente_is_its_own_value(client, send, read_headers, publish_later):
    send([event(day=WEEK_1, gemeente=None) for _ in range(20)])
    publish_later(LATER)
    body = _get(client, read_headers, **{"from": WEEK_1, "to": WEEK_1, "by": "gemeente"})
    assert body["values"][-1] is None
    assert body["value_totals"][-1]["shown"] == "20"


def test_csv_has_the_same_numbers(client, send, read_headers, publish_later):
    send(_referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    send(_referrals("e_cafe", "simpelveld", WEEK_1, 2))
    publish_later(LATER)
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
    assert rows[-1] == {
        "period_start": "total",
        "by": "gemeente",
        "value": "total",
        "count": as_json["total"]["shown"],
    }


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
    bad_kind = client.get("/api/v1/stats", params={"kind": "clicked"}, headers=read_headers)
    assert reversed_range.status_code == 400
    assert "from" in reversed_range.json()["detail"]
    assert too_long.status_code == 400
    assert bad_by.status_code == 422
    assert bad_kind.status_code == 422


def test_default_range_is_twelve_weeks_of_which_only_settled_ones_are_listed(client, read_headers):
    body = client.get("/api/v1/stats", headers=read_headers).json()
    # pinned today: Wednesday 18 November 2026; the week of 9 November is settled from 23 November on
    assert body["from"] == "2026-08-31" and body["to"] == "2026-11-22"
    assert body["published_until"] == "2026-11-08"
    assert body["periods"][-1] == "2026-11-02" and len(body["periods"]) == 10


def test_posting_into_a_settled_period_is_refused_and_changes_nothing(client, send, read_headers, monkeypatch):
    # The review's attack: add a few events and watch a "<10" turn into 10, which reveals the old count.
    send(_referrals("e_cafe", "simpelveld", WEEK_1, 6))
    monkeypatch.setenv("WEGWIJZER_NOW", LATER)
    params = {"from": WEEK_1, "to": WEEK_1, "by": "target", "kind": "referred"}
    before = _get(client, read_headers, **params)

    late = client.post(
        "/api/v1/events",
        json=_referrals("e_cafe", "simpelveld", WEEK_1, 4),
        headers={"X-API-Key": "test-ingest-key-0123456789abcdef"},
    )
    after = _get(client, read_headers, **params)

    assert late.status_code == 422
    assert before["cells"] == after["cells"]
    assert {c["value"]: c["shown"] for c in after["cells"]}["e_cafe"] == "<10"


def test_a_release_is_stored_once_and_computed_again_after_a_purge(client, send, read_headers, monkeypatch):
    from sqlalchemy import select

    from api.models import StoredRelease
    from api.service import purge_key_events

    send(_referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    monkeypatch.setenv("WEGWIJZER_NOW", LATER)
    params = {"from": WEEK_1, "to": WEEK_1, "by": "target", "kind": "referred"}
    first = _get(client, read_headers, **params)
    ctx = client.app.state.ctx
    with ctx.sessions() as session:
        stored = session.execute(select(StoredRelease).where(StoredRelease.kind == "referred")).scalars().all()
    with ctx.sessions() as session, session.begin():
        purge_key_events(session, "env:ingest:0")
    after_purge = _get(client, read_headers, **params)

    assert {(r.period, r.events) for r in stored} == {("week", 23)}
    assert "23" not in stored[0].payload  # only published figures are kept, never an exact count
    assert {c["value"]: c["shown"] for c in first["cells"]}["informatiepunt"] == "25"
    assert after_purge["cells"] == []


def test_a_recent_release_follows_events_that_arrive_through_another_clock(
    client, send, read_headers, monkeypatch
):
    # Two processes whose clocks disagree (here: the same app, clock moved back and forth) must not freeze a
    # release computed before the other accepted more events of that period.
    send(_referrals("informatiepunt", "kerkrade", WEEK_2, 12))
    monkeypatch.setenv("WEGWIJZER_NOW", "2026-11-25T12:00:00+01:00")  # week 2 settled since the 23rd
    params = {"from": WEEK_2, "to": WEEK_2, "by": "target", "kind": "referred"}
    first = _get(client, read_headers, **params)
    send(_referrals("informatiepunt", "kerkrade", WEEK_2, 10))
    monkeypatch.setenv("WEGWIJZER_NOW", "2026-11-25T12:00:00+01:00")
    again = _get(client, read_headers, **params)

    assert {c["value"]: c["shown"] for c in first["cells"]}["informatiepunt"] == "10"
    assert {c["value"]: c["shown"] for c in again["cells"]}["informatiepunt"] == "20"


def test_another_process_reads_the_stored_release_instead_of_computing_it(
    client, send, read_headers, monkeypatch, settings
):
    from fastapi.testclient import TestClient

    import api.reports
    from api.main import create_app

    send(_referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    monkeypatch.setenv("WEGWIJZER_NOW", LATER)
    params = {"from": WEEK_1, "to": WEEK_1, "by": "target", "kind": "referred"}
    first = _get(client, read_headers, **params)

    def must_not_compute(*_args, **_kwargs):
        raise AssertionError("a stored release was computed again")

    monkeypatch.setattr(api.reports, "protect_period", must_not_compute)
    other = create_app(settings)  # a second process: empty memory, same database
    with TestClient(other) as second:
        again = second.get("/api/v1/stats", params=params, headers=read_headers)
    other.state.ctx.engine.dispose()

    assert again.status_code == 200, again.text
    assert again.json()["cells"] == first["cells"]


def test_two_processes_computing_the_same_release_at_once_both_answer(
    client, send, read_headers, monkeypatch, settings
):
    # The start-up warm-up of a second API process, or two requests in two processes, compute the same settled
    # period at the same moment: whichever stores it second must still answer, with the same figures.
    from fastapi.testclient import TestClient

    import api.reports
    from api.main import create_app

    send(_referrals("informatiepunt", "kerkrade", WEEK_1, 23))
    monkeypatch.setenv("WEGWIJZER_NOW", LATER)
    params = {"from": WEEK_1, "to": WEEK_1, "by": "target", "kind": "referred"}
    protect = api.reports.protect_period
    other = create_app(settings)  # a second process: its own memory and connections, the same database
    answers: list = []
    asked: list[threading.Thread] = []

    def ask_the_other_process() -> None:
        with TestClient(other) as second:
            answers.append(second.get("/api/v1/stats", params=params, headers=read_headers))

    def meanwhile_the_other_process_stores_it(*args, **kwargs):
        if not asked:  # a thread, so that a store that waits for this request's locks fails instead of hanging
            asked.append(threading.Thread(target=ask_the_other_process))
            asked[0].start()
            asked[0].join(timeout=20)
        return protect(*args, **kwargs)

    monkeypatch.setattr(api.reports, "protect_period", meanwhile_the_other_process_stores_it)
    first = client.get("/api/v1/stats", params=params, headers=read_headers)
    asked[0].join(timeout=30)
    other.state.ctx.engine.dispose()

    assert answers, "the other process did not answer"
    assert answers[0].status_code == 200, answers[0].text
    assert first.status_code == 200, first.text
    assert first.json()["cells"] == answers[0].json()["cells"]
    assert {c["value"]: c["shown"] for c in first.json()["cells"]}["informatiepunt"] == "25"
