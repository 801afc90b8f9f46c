"""Staff page app in process: login, CSRF, masking before Rasa, the referral event it sends.

Rasa and the reach API are replaced by httpx.MockTransport here (house style, test layer 3); the
browser tests in test_staff_page.py use the real stack.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.staff.app import create_app
from bot.staff.session import StaffSession, decode_cookie, encode_cookie
from bot.staff.settings import StaffSettings, StaffSettingsError
from tests.ci_support import EDITOR_SECRETS

REPO = Path(__file__).resolve().parents[2]
PAGE_KEY = "page-key-for-tests-0123"
MAKEFILE_KEYS = {  # the Makefile's development defaults
    "STAFF_PAGE_KEY": "dev-staff-page-change-me",
    "TRIAGE_STAFF_KEY": "dev-staff-key-change-me",
    "API_INGEST_KEY": "dev-ingest-key-change-me",
}
TRIAGE_ANSWER: dict[str, Any] = {
    "topic": "toeslagen",
    "confidence": 0.74,
    "alternatives": [{"topic": "belastingaangifte", "confidence": 0.12}],
    "answer": {
        "title": "Toeslagen",
        "text": "Een toeslag is geld van de overheid.",
        "simple": "Soms krijgt u geld voor huur of zorg.",
        "steps": ["Kijk op toeslagen.nl."],
        "links": [{"label": "Toeslagen", "url": "https://www.belastingdienst.nl/toeslagen"}],
    },
    "referrals": [
        {
            "id": "informatiepunt",
            "name": "Informatiepunt Digitale Overheid",
            "kind": "local_service",
            "gemeente": "kerkrade",
            "address": "Teststraat 1",
            "opening_hours": {"vrijdag": ["10:00–12:00"]},
            "phone": None,
            "url": None,
            "next_open": None,
        }
    ],
    "gemeente": "kerkrade",
}


CHECK_ANSWER: dict[str, Any] = {
    "topic": "bericht_controleren",
    "verdict": "likely_scam",
    "signals": [{"id": "link_lijkt_op", "explanation": "Deze link lijkt op ...", "quote": "rab0bank.info"}],
    "answer": {"title": "Is dit bericht echt?", "text": "Dit bericht lijkt op oplichting.", "simple": "",
               "steps": ["Bel uw bank."], "links": []},
    "referrals": [{"id": "fraudehelpdesk", "name": "Fraudehelpdesk", "kind": "helpline"}],
    "gemeente": None,
}  # fmt: skip


@dataclass
class Upstreams:
    """What the fake Rasa and API received, and how they answer."""

    triage_requests: list[httpx.Request] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    triage_status: int = 200
    api_status: int = 201

    def rasa(self, request: httpx.Request) -> httpx.Response:
        self.triage_requests.append(request)
        if self.triage_status == 599:
            raise httpx.ConnectError("down", request=request)
        if json.loads(request.content).get("mode") == "message_check":
            return httpx.Response(self.triage_status, json=CHECK_ANSWER)
        return httpx.Response(self.triage_status, json=TRIAGE_ANSWER)

    def api(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/events"
        assert request.headers["x-api-key"] == "ingest-key-for-tests-0123"
        self.events.append(json.loads(request.content))
        return httpx.Response(self.api_status, json={"status": "ok"})


def make_settings(**overrides: Any) -> StaffSettings:
    values: dict[str, Any] = {
        "APP_ENV": "development",
        "STAFF_PAGE_KEY": PAGE_KEY,
        "STAFF_SESSION_SECRET": "session-secret-for-tests-0123",
        "TRIAGE_STAFF_KEY": "triage-key-for-tests-0123",
        "API_INGEST_KEY": "ingest-key-for-tests-0123",
        "RASA_URL": "http://rasa.test",
        "API_URL": "http://api.test",
    }
    values.update(overrides)
    return StaffSettings.model_validate(values)


@pytest.fixture()
def upstreams() -> Upstreams:
    return Upstreams()


@pytest.fixture()
def client(upstreams: Upstreams) -> Iterator[TestClient]:
    app = create_app(
        make_settings(),
        rasa_transport=httpx.MockTransport(upstreams.rasa),
        api_transport=httpx.MockTransport(upstreams.api),
    )
    with TestClient(app, base_url="http://staff.test") as test_client:
        yield test_client


def login(client: TestClient) -> str:
    """Log in and return the CSRF token of the triage page."""
    response = client.post("/login", data={"key": PAGE_KEY}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_triage_page_requires_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_login_with_wrong_key_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"key": "wrong"}, follow_redirects=False)
    assert response.status_code == 401
    assert "Deze sleutel klopt niet" in response.text
    assert "set-cookie" not in response.headers


def test_login_cookie_is_httponly_and_samesite_strict(client: TestClient) -> None:
    response = client.post("/login", data={"key": PAGE_KEY}, follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_triage_without_csrf_token_is_refused(client: TestClient, upstreams: Upstreams) -> None:
    login(client)
    response = client.post("/", data={"text": "Hoe werkt zorgtoeslag?", "gemeente": "kerkrade"})
    assert response.status_code == 403
    assert upstreams.triage_requests == []


def test_cross_origin_post_is_refused(client: TestClient, upstreams: Upstreams) -> None:
    csrf = login(client)
    response = client.post(
        "/",
        data={"text": "Hoe werkt zorgtoeslag?", "gemeente": "", "csrf": csrf},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert upstreams.triage_requests == []


def test_server_masks_personal_data_before_calling_rasa(client: TestClient, upstreams: Upstreams) -> None:
    # arrange
    csrf = login(client)
    question = "Mijn BSN is 111222333, mail jan@example.nl of bel 06-12345678. Zorgtoeslag?"
    # act
    response = client.post("/", data={"text": question, "gemeente": "kerkrade", "csrf": csrf})
    # assert
    assert response.status_code == 200
    sent = json.loads(upstreams.triage_requests[0].content)
    assert sent["gemeente"] == "kerkrade"
    for secret in ("111222333", "jan@example.nl", "12345678"):
        assert secret not in sent["text"]
        assert secret not in response.text
    assert "[BSN]" in sent["text"] and "[E-MAIL]" in sent["text"]
    assert upstreams.triage_requests[0].headers["x-staff-key"] == "triage-key-for-tests-0123"
    assert "Informatiepunt Digitale Overheid" in response.text
    assert "vrijdag: 10:00–12:00" in response.text
    assert "Belastingaangifte" in response.text  # the alternative


@pytest.mark.parametrize(
    ("text", "field", "value", "element_id", "opening_tag", "expected"),
    [
        pytest.param(
            "Zorgtoeslag en aangifte?",
            "second_question",
            "belastingaangifte",
            "second-question",
            '<p id="second-question">',
            ("Belastingaangifte", "(belastingaangifte)"),
            id="second-question",
        ),
        pytest.param(
            "Ik woon in Hoensbroek",
            "outside",
            {
                "place": "Hoensbroek",
                "gemeente": "Heerlen",
                "nearest": "brunssum",
                "text": "Hoensbroek hoort bij",
            },
            "outside-place",
            '<p id="outside-place" class="notice">',
            ("Hoensbroek hoort bij",),  # the chat's reply
            id="place-outside",
        ),
    ],
)
def test_an_optional_triage_field_is_shown_to_staff(
    client: TestClient,
    upstreams: Upstreams,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    field: str,
    value: object,
    element_id: str,
    opening_tag: str,
    expected: tuple[str, ...],
) -> None:
    csrf = login(client)
    page = client.post("/", data={"text": text, "gemeente": "", "csrf": csrf})
    assert f'id="{element_id}"' not in page.text  # the canned answer has none
    monkeypatch.setitem(TRIAGE_ANSWER, field, value)
    page = client.post("/", data={"text": text, "gemeente": "", "csrf": csrf})
    assert page.status_code == 200
    shown = re.search(re.escape(opening_tag) + "(.*?)</p>", page.text, re.S)
    assert shown and all(part in shown.group(1) for part in expected)


def test_triage_rejects_unknown_gemeente(client: TestClient, upstreams: Upstreams) -> None:
    csrf = login(client)
    response = client.post("/", data={"text": "Vraag", "gemeente": "maastricht", "csrf": csrf})
    assert response.status_code == 400
    assert "Kies een gemeente uit de lijst" in response.text
    assert upstreams.triage_requests == []


def test_triage_down_shows_a_dutch_error(client: TestClient, upstreams: Upstreams) -> None:
    csrf = login(client)
    upstreams.triage_status = 599
    response = client.post("/", data={"text": "Vraag over DigiD", "gemeente": "", "csrf": csrf})
    assert response.status_code == 502
    assert "niet bereikbaar" in response.text


def test_referral_click_sends_one_staff_event(client: TestClient, upstreams: Upstreams) -> None:
    # arrange
    csrf = login(client)
    # act
    response = client.post(
        "/referrals",
        data={
            "topic": "toeslagen",
            "target": "informatiepunt",
            "gemeente": "kerkrade",
            "target_name": "Informatiepunt Digitale Overheid",
        },
        headers={"Accept": "application/json", "X-CSRF-Token": csrf},
    )
    # assert
    assert response.status_code == 200
    assert response.json()["status"] == "Vastgelegd: verwezen naar Informatiepunt Digitale Overheid."
    (event,) = upstreams.events
    assert set(event) == {"event_id", "day", "kind", "topic", "target", "gemeente", "channel", "helpful"}
    assert event["kind"] == "referred"
    assert event["channel"] == "staff"
    assert event["topic"] == "toeslagen" and event["target"] == "informatiepunt"
    assert event["gemeente"] == "kerkrade" and event["helpful"] is None
    assert event["day"] == datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()


@pytest.mark.parametrize(
    ("topic", "target", "gemeente"),
    [("Toeslagen!", "informatiepunt", ""), ("toeslagen", "../x", ""), ("toeslagen", "x", "parijs")],
)
def test_referral_with_bad_ids_is_refused(
    client: TestClient, upstreams: Upstreams, topic: str, target: str, gemeente: str
) -> None:
    csrf = login(client)
    response = client.post(
        "/referrals",
        data={"topic": topic, "target": target, "gemeente": gemeente},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 400
    assert upstreams.events == []


def test_referral_api_down_is_reported(client: TestClient, upstreams: Upstreams) -> None:
    csrf = login(client)
    upstreams.api_status = 500
    response = client.post(
        "/referrals",
        data={"topic": "toeslagen", "target": "informatiepunt", "gemeente": ""},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 502
    assert "telling" in response.json()["error"]


def test_production_refuses_development_keys() -> None:
    settings = StaffSettings.model_validate(
        {
            "APP_ENV": "production",
            "STAFF_SESSION_SECRET": "x" * 32,
            **MAKEFILE_KEYS,  # the constants DEV_*_KEY were a copy of these in bot/staff/settings.py
        }
    )
    with pytest.raises(StaffSettingsError) as info:
        settings.check()
    message = str(info.value)
    for name in ("STAFF_PAGE_KEY", "TRIAGE_STAFF_KEY", "API_INGEST_KEY"):
        assert name in message


def test_production_requires_a_session_secret() -> None:
    settings = make_settings(APP_ENV="production", STAFF_SESSION_SECRET=None)
    with pytest.raises(StaffSettingsError, match="STAFF_SESSION_SECRET"):
        settings.check()


def test_session_cookie_rejects_forgery_and_expiry() -> None:
    key = b"k" * 32
    session = StaffSession(session_id="abc", expires_at=2_000)
    value = encode_cookie(key, session)
    assert decode_cookie(key, value, now=1_000) == session
    assert decode_cookie(key, value, now=2_001) is None
    assert decode_cookie(b"other" * 8, value, now=1_000) is None
    payload, signature = value.split(".")
    assert decode_cookie(key, payload + "x." + signature, now=1_000) is None
    assert decode_cookie(key, "garbage", now=1_000) is None


def test_message_check_masks_before_rasa_and_shows_the_verdict(
    client: TestClient, upstreams: Upstreams
) -> None:
    # arrange
    csrf = login(client)
    message = "Beste klant,\nmaak vandaag €25 over naar NL91ABNA0417164300 of bel 06-12345678."
    # act
    response = client.post("/bericht", data={"text": message, "gemeente": "", "csrf": csrf})
    # assert
    assert response.status_code == 200
    sent = json.loads(upstreams.triage_requests[0].content)
    assert sent["mode"] == "message_check" and sent["gemeente"] is None
    assert "NL91ABNA0417164300" not in sent["text"] and "[IBAN]" in sent["text"] and "\n" in sent["text"]
    assert "NL91ABNA0417164300" not in response.text
    assert 'data-verdict="likely_scam"' in response.text and "rab0bank.info" in response.text
    assert 'aria-current="page">Bericht controleren' in response.text


def test_message_check_without_csrf_or_text_is_refused(client: TestClient, upstreams: Upstreams) -> None:
    csrf = login(client)
    assert client.post("/bericht", data={"text": "hoi"}).status_code == 403
    assert client.post("/bericht", data={"text": "  ", "csrf": csrf}).status_code == 400
    assert client.post("/bericht", data={"text": "x" * 5000, "csrf": csrf}).status_code == 400
    assert upstreams.triage_requests == []


def test_message_check_page_requires_login(client: TestClient) -> None:
    response = client.get("/bericht", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_unconfirmed_fields_are_marked_one_by_one(
    client: TestClient, upstreams: Upstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    # arrange: the address is confirmed, the hours and the phone number are not (the triage contract says so)
    referral = TRIAGE_ANSWER["referrals"][0]
    monkeypatch.setitem(referral, "phone", "045 000 00 00")
    monkeypatch.setitem(referral, "verify", True)
    monkeypatch.setitem(referral, "unconfirmed", ["opening_hours", "phone"])
    csrf = login(client)
    # act
    page = client.post("/", data={"text": "Zorgtoeslag?", "gemeente": "kerkrade", "csrf": csrf}).text
    # assert: a mark beside each unconfirmed field, none beside the address, no warning for the whole referral
    assert "Adres: Teststraat 1</p>" in page
    assert re.search(r"Telefoon: 045 000 00 00 <span class=\"verify-mark\">\(nog niet gecontroleerd\)", page)
    assert re.search(r"<p>Open: <span class=\"verify-mark\">\(nog niet gecontroleerd\)", page)
    assert "Let op: deze gegevens zijn nog niet gecontroleerd" not in page
    # the print sheet for the resident gives no unconfirmed times, only how to find out
    sheet = page[page.index("Waar kunt u terecht?") :]
    assert "De tijden zijn nog niet gecontroleerd. Bel of kijk op de website voordat u gaat." in sheet
    assert "10:00–12:00" not in sheet
    assert "Telefoon: 045 000 00 00 (nog niet gecontroleerd)" in sheet


def test_a_confirmed_referral_has_no_warning_on_screen_or_paper(client: TestClient) -> None:
    csrf = login(client)
    page = client.post("/", data={"text": "Zorgtoeslag?", "gemeente": "kerkrade", "csrf": csrf}).text
    assert "gecontroleerd" not in page and "kunnen veranderd zijn" not in page
    assert "vrijdag: 10:00–12:00" in page


# --- one secret policy (shared/secret_policy.py) --------------------------------------------------------


def test_production_refuses_placeholders_of_any_spelling() -> None:
    # Before, only the exact development defaults were refused; these all started.
    settings = StaffSettings.model_validate(
        {
            "APP_ENV": "production",
            "STAFF_SESSION_SECRET": "x" * 32,
            "STAFF_PAGE_KEY": "CHANGEME-CHANGEME-1",
            "TRIAGE_STAFF_KEY": "placeholder-staff-key",
            "API_INGEST_KEY": "dev-ingest-key-change-me-2",
        }
    )
    with pytest.raises(StaffSettingsError) as info:
        settings.check()
    message = str(info.value)
    for name in ("STAFF_PAGE_KEY", "STAFF_SESSION_SECRET", "TRIAGE_STAFF_KEY", "API_INGEST_KEY"):
        assert f"{name} refused (placeholder)" in message
    assert "CHANGEME" not in message and "xxxx" not in message


@pytest.fixture()
def no_editor_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor role is optional and tested in test_staff_content_page.py; `make` exports its placeholders."""
    for name in EDITOR_SECRETS:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_editor_keys")
def test_production_accepts_random_values_and_names_them() -> None:
    values = {name: secrets.token_urlsafe(32) for name in (*MAKEFILE_KEYS, "STAFF_SESSION_SECRET")}
    settings = StaffSettings.model_validate({"APP_ENV": "production", **values})
    settings.check()
    assert settings.secrets_line() == (
        "secrets: STAFF_PAGE_KEY ok; STAFF_SESSION_SECRET ok; TRIAGE_STAFF_KEY ok; API_INGEST_KEY ok"
    )


@pytest.mark.usefixtures("no_editor_keys")
def test_development_starts_with_the_makefile_keys() -> None:
    settings = StaffSettings.model_validate({"APP_ENV": "development", **MAKEFILE_KEYS})
    settings.check()
    assert settings.secrets_line() == (
        "secrets: STAFF_PAGE_KEY tolerated (placeholder, development); STAFF_SESSION_SECRET missing; "
        "TRIAGE_STAFF_KEY tolerated (placeholder, development); "
        "API_INGEST_KEY tolerated (placeholder, development)"
    )


def test_unset_keys_are_missing_even_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    # The staff page no longer carries its own copy of the development keys: the Makefile gives them.
    for name in MAKEFILE_KEYS:
        monkeypatch.delenv(name, raising=False)  # `make` exports them into every process
    with pytest.raises(StaffSettingsError) as info:
        StaffSettings.model_validate({"APP_ENV": "development"}).check()
    for name in MAKEFILE_KEYS:
        assert f"{name} missing" in str(info.value)


def test_start_up_line_names_refused_keys_only() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (*MAKEFILE_KEYS, "APP_ENV", "STAFF_SESSION_SECRET")
    }
    session = secrets.token_urlsafe(32)
    env.update(
        {"APP_ENV": "production", "STAFF_SESSION_SECRET": session, "PYTHONPATH": str(REPO), **MAKEFILE_KEYS}
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.staff"], env=env, capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert (
        "secrets: STAFF_PAGE_KEY refused (placeholder); STAFF_SESSION_SECRET ok; "
        "TRIAGE_STAFF_KEY refused (placeholder); API_INGEST_KEY refused (placeholder)"
    ) in output
    assert "change-me" not in output and session[:6] not in output
