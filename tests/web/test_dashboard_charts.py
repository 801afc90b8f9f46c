"""The reach dashboard in headless Chromium: no chart label is cut off, and axe-core finds nothing.

A real API process serves a database filled with events whose labels are the longest the content has
(desk and organisation names); the browser measures every label's box inside its chart.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.web_support import enable_axe, free_port, run_axe, start, stop, wait_for_http

pytestmark = pytest.mark.a11y

READ_KEY = "test-read-key-for-the-dashboard-0123"
EVENT_DAY = dt.date(2026, 11, 4)
LATER = "2026-12-15T12:00:00+01:00"  # the week and month of EVENT_DAY are settled


def _fill(database_url: str) -> None:
    """Write events straight into the database, as the API would have stored them on their day."""
    from api import db
    from api.schemas import EventIn
    from api.service import record_events
    from api.vocabulary import current_vocabulary

    vocabulary = current_vocabulary()
    events = []
    for index, target in enumerate(vocabulary.targets):
        for _ in range(10 + 5 * index):
            events.append({"kind": "referred", "topic": "toeslagen", "target": target, "gemeente": "kerkrade"})
    for topic in list(vocabulary.topics)[:12]:
        events += [{"kind": "answered", "topic": topic, "gemeente": "brunssum"}] * 12
    events += [{"kind": "conversation_started"}] * 40
    rows = [
        EventIn.model_validate(
            {"event_id": str(uuid.uuid4()), "day": EVENT_DAY.isoformat(), "channel": "web", **e}
        )
        for e in events
    ]
    db.upgrade(database_url)
    sessions = db.make_sessionmaker(db.make_engine(database_url))
    with db.transaction(sessions) as session:
        record_events(session, rows, "test")


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'api.sqlite3'}"
    _fill(database_url)
    port = free_port()
    env = {
        "APP_ENV": "test",
        "API_DATABASE_URL": database_url,
        "API_AUTO_MIGRATE": "false",
        "API_INGEST_KEY": "test-ingest-key-for-the-dashboard-0123",
        "API_READ_KEY": READ_KEY,
        "API_SECURE_COOKIES": "false",
        "WEGWIJZER_NOW": LATER,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--port", str(port)]
    process = start(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url + "/dashboard/login")
    page.get_by_label("Leessleutel").fill(READ_KEY)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(url + f"/dashboard?van={EVENT_DAY.isoformat()}&tot={EVENT_DAY.isoformat()}&maand=2026-11")
    page.wait_for_selector("svg.chart")
    return page


def test_no_chart_label_is_cut_off(context: Any, dashboard_url: str) -> None:
    page = _open(context, dashboard_url)
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
            const width = svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(t => ({text: t.textContent, box: t.getBBox()}))
                .filter(({box}) => box.x < 0 || box.x + box.width > width)
                .map(({text, box}) => `${text}: ${box.x.toFixed(1)}+${box.width.toFixed(1)} of ${width}`);
        })"""
    )
    labels = page.evaluate("() => document.querySelectorAll('svg.chart text').length")
    assert labels > 20  # the charts were drawn with the long labels
    assert overflow == []


def test_dashboard_has_no_axe_violations(context: Any, dashboard_url: str) -> None:
    enable_axe(context)
    page = _open(context, dashboard_url)
    assert run_axe(page) == []


def test_the_municipal_table_is_there_and_reachable_by_keyboard(context: Any, dashboard_url: str) -> None:
    page = _open(context, dashboard_url)
    assert "Per gemeente: november 2026" in page.locator("#gemeenten-kop").inner_text()
    region = page.locator(".table-scroll")
    region.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('table-scroll')")
