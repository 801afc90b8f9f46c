"""The staff content page (/inhoud) in process against the real API app (real SQLite database, real content
loader): editor role, CSRF, confirm and correct, closures, Dutch refusals that save nothing, history, conflicts,
and agreement with `make content-report` on what is unconfirmed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import db
from api.main import create_app as create_api
from api.settings import ApiSettings
from bot.staff.app import create_app
from bot.staff.settings import StaffSettings
from knowledge.local_facts import local_facts
from knowledge.overlay import latest
from quality.freshness import needs_attention
from tests.api.api_support import make_settings

PAGE_KEY = "page-key-for-tests-0123"
EDITOR_KEY = "editor-key-for-tests-0123"
CONTENT_KEY = "content-key-for-tests-0123456789"
ADDRESS = "location/hub_kerkrade/address"
NOW = "2026-12-02T11:00:00+01:00"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJZER_NOW", NOW)
    for name in ("CONTENT_OVERLAY_URL", "API_CONTENT_KEY", "STAFF_EDITOR_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api_settings(tmp_path: Path) -> ApiSettings:
    url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    db.upgrade(url)
    return make_settings(url, content_key=CONTENT_KEY)


@pytest.fixture
def api(api_settings: ApiSettings) -> Iterator[Any]:
    app = create_api(api_settings)
    yield app
    app.state.ctx.engine.dispose()


def staff_app(api: Any) -> TestClient:
    settings = StaffSettings.model_validate(
        {
            "APP_ENV": "development",
            "STAFF_PAGE_KEY": PAGE_KEY,
            "STAFF_EDITOR_KEY": EDITOR_KEY,
            "STAFF_SESSION_SECRET": "session-secret-for-tests-0123456789",
            "TRIAGE_STAFF_KEY": "triage-key-for-tests-0123",
            "API_INGEST_KEY": "test-ingest-key-0123456789abcdef",
            "API_CONTENT_KEY": CONTENT_KEY,
            "API_URL": "http://api.test",
            "STAFF_COOKIE_SECURE": False,
        }
    )
    app = create_app(settings, api_transport=httpx.ASGITransport(app=api))
    return TestClient(app, base_url="http://staff.test", follow_redirects=False)


@pytest.fixture
def editor(api: Any) -> Iterator[TestClient]:
    with staff_app(api) as client:
        assert client.post("/login", data={"key": EDITOR_KEY}).headers["location"] == "/inhoud"
        yield client


def csrf(client: TestClient, path: str = "/inhoud") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def overlay(api: Any) -> dict[str, Any]:
    with TestClient(api) as client:
        headers = {"X-API-Key": "test-ingest-key-0123456789abcdef"}
        return dict(client.get("/api/v1/content/overlay", headers=headers).json())


def confirm_form(token: str, **fields: str) -> dict[str, str]:
    form = {
        "csrf": token,
        "key": ADDRESS,
        "base": "0",
        "action": "bevestigen",
        "source": "parkstad_taal_2021",
        "confirmed_by": "medewerker Informatiepunt",
        "note": "",
        "state": "confirmed",
        "value": "",
    }
    form.update(fields)
    return form


def test_triage_staff_cannot_open_or_post_the_content_page(api: Any) -> None:
    with staff_app(api) as client:
        assert client.post("/login", data={"key": PAGE_KEY}).headers["location"] == "/"
        assert client.get("/inhoud").status_code == 403
        assert "alleen voor redacteuren" in client.get("/inhoud").text
        assert client.post("/inhoud/feit", data=confirm_form("x")).status_code == 403
        assert "Gegevens controleren" not in client.get("/").text
    assert overlay(api)["edits"] == []


def test_the_list_puts_unconfirmed_and_oldest_first(editor: TestClient) -> None:
    page = editor.get("/inhoud").text
    states = re.findall(r'data-state="(\w+)"', page)
    assert states[0] == "assumed" and "confirmed" in states
    first_confirmed = states.index("confirmed")
    assert all(state == "confirmed" for state in states[first_confirmed:])


def test_confirming_a_fact_is_saved_shown_and_kept_in_the_history(editor: TestClient, api: Any) -> None:
    token = csrf(editor, f"/inhoud/feit?sleutel={ADDRESS}")
    saved = editor.post("/inhoud/feit", data=confirm_form(token))
    assert saved.status_code == 303, saved.text
    page = editor.get("/inhoud").text
    row = re.search(rf'<tr data-key="{ADDRESS}" data-state="(\w+)">.*?</tr>', page, re.S)
    assert row and row.group(1) == "confirmed"
    assert "02-12-2026" in row.group(0) and "vandaag" in row.group(0)
    history = page[page.index('id="geschiedenis"') :]
    assert "HuB. Bibliotheek Kerkrade: adres" in history
    assert "gecontroleerd door medewerker Informatiepunt" in history
    assert "redacteur" in history
    (edit,) = overlay(api)["edits"]
    assert edit["change"]["checked_on"] == "2026-12-02" and edit["role"] == "editor"


@pytest.mark.parametrize(
    ("fields", "dutch"),
    [
        ({"confirmed_by": "Jan Jansen"}, "Schrijf nooit een naam"),
        ({"confirmed_by": ""}, "Schrijf wie het heeft gecontroleerd"),
        ({"source": "nieuw", "source_url": "http://onveilig.example"}, "Het webadres van de bron klopt niet"),
        ({"source": "bestaat_niet"}, "Kies een bron uit de lijst"),
        ({"action": "opslaan", "state": "assumed", "value": "Markt 1", "note": ""}, "Schrijf in de notitie"),
        ({"action": "opslaan", "value": ""}, "Vul de nieuwe tekst in"),
        ({"key": "location/bestaat_niet/address"}, "Dit gegeven bestaat niet"),
        ({"base": "abc"}, "onvolledig"),
    ],
)
def test_bad_fact_input_gets_a_dutch_error_and_nothing_is_saved(
    editor: TestClient, api: Any, fields: dict[str, str], dutch: str
) -> None:
    token = csrf(editor)
    answer = editor.post("/inhoud/feit", data=confirm_form(token, **fields))
    assert answer.status_code in (400, 404), answer.text
    assert dutch in answer.text
    assert 'role="alert"' in answer.text
    assert overlay(api)["edits"] == []


def test_bad_times_are_refused_by_the_loader(editor: TestClient, api: Any) -> None:
    token = csrf(editor)
    key = "location/hub_kerkrade/times/informatiepunt"
    for times, dutch in (
        ("vrijdag 10:00-25:00", "Deze tijd klopt niet"),
        ("vrijdag 12:00-10:00", "De eindtijd ligt voor de begintijd"),
        ("vrydag 10:00-12:00", "Schrijf de dag voluit"),
        ("elke vrijdag ochtend", "Schrijf elke regel zo"),
    ):
        form = confirm_form(token, key=key, action="opslaan", value=times, source="ido_2021")
        answer = editor.post("/inhoud/feit", data=form)
        assert answer.status_code == 400 and dutch in answer.text, (times, answer.text[-2000:])
    assert overlay(api)["edits"] == []


def test_a_form_without_its_csrf_token_is_refused(editor: TestClient, api: Any) -> None:
    assert editor.post("/inhoud/feit", data=confirm_form("wrong")).status_code == 403
    closure = {"csrf": "wrong", "location": "hub_kerkrade"}
    assert editor.post("/inhoud/sluiting", data=closure).status_code == 403
    assert editor.post("/inhoud/sluiting/intrekken", data={"csrf": "", "key": "x"}).status_code == 403
    assert overlay(api)["edits"] == []


def test_closures_today_and_for_a_range_and_their_withdrawal(editor: TestClient, api: Any) -> None:
    token = csrf(editor)
    today = {"csrf": token, "location": "bibliotheek_brunssum", "reason": "Informatiepunt vandaag gesloten"}
    assert editor.post("/inhoud/sluiting", data={**today, "action": "vandaag"}).status_code == 303
    week = {"csrf": token, "location": "hub_kerkrade", "reason": "Verbouwing"}
    week.update({"from": "2026-12-07", "to": "2026-12-11"})
    assert editor.post("/inhoud/sluiting", data={**week, "action": "periode"}).status_code == 303
    edits = {e["change"]["reason"]: e for e in overlay(api)["edits"]}
    assert edits["Informatiepunt vandaag gesloten"]["change"]["from"] == "2026-12-02"
    assert edits["Verbouwing"]["change"]["to"] == "2026-12-11"
    page = editor.get("/inhoud").text
    assert "Bibliotheek Brunssum: 02-12-2026" in page and "07-12-2026 tot en met 11-12-2026" in page
    brunssum = edits["Informatiepunt vandaag gesloten"]
    withdraw = {"csrf": token, "key": brunssum["key"], "base": str(brunssum["id"])}
    assert editor.post("/inhoud/sluiting/intrekken", data=withdraw).status_code == 303
    page = editor.get("/inhoud").text
    assert "Bibliotheek Brunssum: 02-12-2026" not in page and "ingetrokken" in page


@pytest.mark.parametrize(
    ("fields", "dutch"),
    [
        ({"from": "2026-12-11", "to": "2026-12-07"}, "De einddatum ligt voor de begindatum"),
        ({"from": "11-12-2026", "to": ""}, "Deze datum klopt niet"),
        ({"location": "nergens"}, "Deze locatie bestaat niet"),
        ({"location": "<script>"}, "Kies een locatie uit de lijst"),
        ({"reason": ""}, "Schrijf waarom de locatie dicht is"),
    ],
)
def test_bad_closures_get_a_dutch_error_and_nothing_is_saved(
    editor: TestClient, api: Any, fields: dict[str, str], dutch: str
) -> None:
    form = {"csrf": csrf(editor), "location": "hub_kerkrade", "reason": "Dicht", "action": "periode"}
    form.update({"from": "2026-12-07", "to": "2026-12-08"})
    form.update(fields)
    answer = editor.post("/inhoud/sluiting", data=form)
    assert answer.status_code == 400 and dutch in answer.text, answer.text[-1500:]
    assert overlay(api)["edits"] == []


def test_a_stale_save_shows_the_other_change_and_keeps_both_visible(editor: TestClient, api: Any) -> None:
    token = csrf(editor)
    first = confirm_form(token, action="opslaan", value="Eerste adres 1, Kerkrade")
    assert editor.post("/inhoud/feit", data=first).status_code == 303
    late = confirm_form(token, action="opslaan", value="Tweede adres 2, Kerkrade")  # still based on 0
    answer = editor.post("/inhoud/feit", data=late)
    assert answer.status_code == 409
    assert "Iemand anders heeft dit gegeven net veranderd" in answer.text
    assert "nieuwe tekst: Eerste adres 1, Kerkrade" in answer.text  # the other change
    assert 'value="Tweede adres 2, Kerkrade"' in answer.text  # our own input, not lost
    (edit,) = overlay(api)["edits"]
    assert f'name="base" value="{edit["id"]}"' in answer.text  # the next save is based on the winner
    assert edit["change"]["value"] == "Eerste adres 1, Kerkrade"


def test_the_page_and_the_content_report_agree_on_what_is_unconfirmed(editor: TestClient, api: Any) -> None:
    token = csrf(editor)
    assert editor.post("/inhoud/feit", data=confirm_form(token)).status_code == 303
    from knowledge.loader import load_catalog
    from knowledge.overlay import Edit, patcher

    edits = latest(Edit.from_dict(e) for e in overlay(api)["edits"])
    catalog = load_catalog(patch=patcher(edits))
    page = editor.get("/inhoud").text
    on_page = set(re.findall(r'data-key="([^"]+)" data-state="assumed"', page))
    facts = {f.item: f.key for f in local_facts(catalog)}
    attention = needs_attention(catalog, catalog_today())
    reported = {facts[a.item] for a in attention if a.reason == "unverified" and a.item in facts}
    assert on_page == reported
    assert ADDRESS not in on_page


def catalog_today() -> Any:
    from knowledge.clock import today

    return today()


def test_one_extra_session_and_one_cancelled_day_reach_the_schedule(editor: TestClient, api: Any) -> None:
    from knowledge.loader import load_catalog
    from knowledge.overlay import Edit, patcher
    from knowledge.schedule import upcoming_sessions

    token = csrf(editor)
    base = {"csrf": token, "schedule": "hub_kerkrade|informatiepunt", "source": "ido_2021"}
    extra = {**base, "action": "extra", "date": "2026-12-08", "start": "14:00", "end": "16:00"}
    assert (
        editor.post("/inhoud/keer", data={**extra, "confirmed_by": "medewerker informatiepunt"}).status_code
        == 303
    )
    assert editor.post("/inhoud/keer", data={**base, "action": "niet", "date": "2026-12-04"}).status_code == 303
    times = confirm_form(token, key="location/hub_kerkrade/times/informatiepunt", source="ido_2021")
    assert editor.post("/inhoud/feit", data=times).status_code == 303
    edits = latest(Edit.from_dict(e) for e in overlay(api)["edits"])
    catalog = load_catalog(patch=patcher(edits))
    hub = next(loc for loc in catalog.locations if loc.id == "hub_kerkrade")
    from knowledge.clock import now

    starts = [s.start.strftime("%d %H:%M") for s in upcoming_sessions(catalog, hub, "informatiepunt", now())]
    assert starts == ["08 14:00", "11 10:00", "18 10:00"]  # Friday 4 cancelled, Tuesday 8 extra
    page = editor.get("/inhoud").text
    assert "informatiepunt gaat niet door" in page and "extra keer op 08-12-2026, 14:00-16:00" in page


@pytest.mark.parametrize(
    ("fields", "dutch"),
    [
        ({"start": "16:00", "end": "14:00"}, "De eindtijd ligt voor de begintijd"),
        ({"start": "25:00"}, "Deze tijd klopt niet"),
        ({"date": "2026-02-30"}, "Deze datum klopt niet"),
        ({"schedule": "hub_kerkrade|bestaat_niet"}, "Deze dienst bestaat niet"),
        ({"schedule": "nergens"}, "Kies een dienst en locatie"),
        ({"confirmed_by": "Piet"}, "Schrijf nooit een naam"),
    ],
)
def test_bad_session_input_gets_a_dutch_error_and_nothing_is_saved(
    editor: TestClient, api: Any, fields: dict[str, str], dutch: str
) -> None:
    form = {"csrf": csrf(editor), "schedule": "bibliotheek_brunssum|e_cafe", "source": "jaarplan_2026"}
    form.update({"action": "extra", "date": "2026-12-09", "start": "14:00", "end": "16:00"})
    form.update({"confirmed_by": "medewerker e-café", **fields})
    answer = editor.post("/inhoud/keer", data=form)
    assert answer.status_code == 400 and dutch in answer.text, answer.text[-1500:]
    assert overlay(api)["edits"] == []
