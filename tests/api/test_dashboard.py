"""Dashboard: login with a read key, session cookie, Dutch server-rendered charts and tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.api.api_support import READ_KEY, days_ago, event

pytestmark = pytest.mark.app_env


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def _login(client, key=READ_KEY):
    return client.post("/dashboard/login", data={"api_key": key}, follow_redirects=False)


@pytest.fixture
def filled(client, ingest_headers, publish_later):
    day = days_ago(3)  # Sunday 15 November 2026 (the clock is pinned to the 18th)
    events = (
        [event(day=day, kind="conversation_started", topic=None) for _ in range(40)]
        + [event(day=day, kind="answered") for _ in range(30)]
        + [event(day=day, kind="not_understood", topic=None) for _ in range(10)]
        + [event(day=day, kind="referred", target="informatiepunt") for _ in range(25)]
        + [event(day=day, kind="referred", target="e_cafe", gemeente="voerendaal") for _ in range(12)]
        + [event(day=day, kind="referred", target="belastingtelefoon", gemeente="brunssum") for _ in range(3)]
        + [event(day=day, kind="feedback", helpful=True, topic=None) for _ in range(15)]
        + [event(day=day, kind="feedback", helpful=False, topic=None) for _ in range(15)]
    )
    assert client.post("/api/v1/events", json=events, headers=ingest_headers).status_code == 201
    publish_later("2026-12-10T12:00:00+01:00")  # the week and the month of the 15th are settled now
    return client


def test_dashboard_redirects_to_login_without_session(client):
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login"


def test_login_page_is_dutch_and_labelled(client):
    response = client.get("/dashboard/login")
    parsed = _parse(response.text)
    assert '<html lang="nl">' in response.text
    inputs = [attrs for tag, attrs in parsed.tags if tag == "input"]
    labels = {attrs.get("for") for tag, attrs in parsed.tags if tag == "label"}
    assert all(attrs.get("id") in labels for attrs in inputs)


def test_wrong_key_and_ingest_key_cannot_log_in(client, ingest_headers):
    wrong = _login(client, "nope")
    ingest = _login(client, ingest_headers["X-API-Key"])
    assert wrong.status_code == 401 and "klopt niet" in wrong.text
    assert ingest.status_code == 403 and "geen cijfers" in ingest.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_dashboard_shows_protected_figures(filled):
    login = _login(filled)
    assert login.status_code == 303
    assert "wegwijzer_dashboard" in login.headers["set-cookie"]
    assert "samesite=strict" in login.headers["set-cookie"].lower()
    assert "httponly" in login.headers["set-cookie"].lower()

    page = filled.get("/dashboard")

    assert page.status_code == 200
    html = page.text
    for heading in (
        "Gesprekken per week",
        "Doorverwijzingen per organisatie",
        "Doorverwijzingen per gemeente",
        "Meest gevraagde onderwerpen",
        "Niet begrepen",
        "Behulpzaam",
    ):
        assert heading in html
    assert html.count("<svg") == 4
    assert html.count("<table>") == 5  # four charts and the municipal report
    assert "<td>&lt;10</td>" in html  # 3 referrals to the Belastingtelefoon
    assert "<td>25</td>" in html  # informatiepunt referrals
    assert "50%" in html  # 15 of 30 found the answer helpful
    assert "25%" in html  # 10 not understood of 40 questions


def test_dashboard_has_no_third_party_or_script_content(filled):
    _login(filled)
    page = filled.get("/dashboard")
    parsed = _parse(page.text)
    assert not [tag for tag, _ in parsed.tags if tag == "script"]
    urls = [
        value
        for _, attrs in parsed.tags
        for name, value in attrs.items()
        if name in ("src", "href", "action") and value
    ]
    assert all(url.startswith("/") or url.startswith("#") for url in urls), urls
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


def test_each_chart_has_title_and_description(filled):
    _login(filled)
    html = filled.get("/dashboard").text
    for match in re.finditer(r'<svg[^>]*aria-labelledby="([^"]+)"', html):
        for ident in match.group(1).split():
            assert f'id="{ident}"' in html


def test_bad_period_gets_a_dutch_error(filled):
    _login(filled)
    response = filled.get("/dashboard", params={"van": "2026-12-01", "tot": "2026-01-01"})
    assert response.status_code == 400
    assert "periode" in response.text


def test_logout_ends_the_session(filled):
    _login(filled)
    filled.post("/dashboard/logout", follow_redirects=False)
    assert filled.get("/dashboard", follow_redirects=False).status_code == 303


def test_static_stylesheet_is_served(client):
    response = client.get("/dashboard/static/dashboard.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


def test_municipal_report_for_a_settled_month(filled):
    _login(filled)
    html = filled.get("/dashboard", params={"maand": "2026-11"}).text
    assert "Per gemeente: november 2026" in html
    row = re.search(r"<tr><th scope=\"row\">Kerkrade</th>(.*?)</tr>", html)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[:3] == ["40", "30", "10"]  # conversations, answered, not understood
    assert cells[-2:] == ["25,0 %", "50,0 %"]


def test_municipal_csv_opens_in_a_dutch_spreadsheet(filled):
    import csv
    import io

    _login(filled)
    response = filled.get("/dashboard/gemeenten.csv", params={"maand": "2026-11"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("\ufeff")  # Excel reads UTF-8 only with a byte-order mark
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff")), delimiter=";"))
    header, kerkrade = rows[0], next(r for r in rows if r[3] == "Kerkrade")
    assert header[:4] == ["Maand", "Van", "Tot en met", "Gemeente"]
    assert kerkrade[:3] == ["november 2026", "01-11-2026", "30-11-2026"]
    assert kerkrade[-2:] == ["25,0", "50,0"]


def test_a_month_that_is_not_settled_is_refused_in_dutch(filled):
    _login(filled)
    response = filled.get("/dashboard/gemeenten.csv", params={"maand": "2026-12"})
    assert response.status_code == 400
    assert "nog niet afgesloten" in response.text
