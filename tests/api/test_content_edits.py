"""Staff edits of local facts in the API (api/content.py): stored durably, validated by the content loader
with a Dutch refusal, kept as a history, and never lost when two saves race. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.api_support import INGEST_KEY, make_settings

CONTENT_KEY = "test-content-key-0123456789abcdef"
ADDRESS = "location/hub_kerkrade/address"
BAD_SLOT = {"day": "vrijdag", "start": "10:00", "end": "25:00"}


@pytest.fixture
def content_client(database_url: str) -> Any:
    app = create_app(make_settings(database_url, content_key=CONTENT_KEY))
    with TestClient(app) as test_client:
        yield test_client
    app.state.ctx.engine.dispose()


def confirm(base: int = 0, **change: Any) -> dict[str, Any]:
    values = {
        "state": "confirmed",
        "checked_on": "2026-11-18",
        "source": "ido_2021",
        "confirmed_by": "medewerker Informatiepunt",
    }
    values.update(change)
    return {"key": ADDRESS, "base": base, "change": values, "role": "redacteur"}


def post(client: TestClient, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/content/edits", json=body, headers={"X-API-Key": CONTENT_KEY})


def overlay(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/content/overlay", headers={"X-API-Key": INGEST_KEY})
    assert response.status_code == 200
    return dict(response.json())


def test_an_edit_is_stored_served_in_the_overlay_and_in_the_history(content_client: TestClient) -> None:
    saved = post(content_client, confirm())
    assert saved.status_code == 201, saved.text
    body = overlay(content_client)
    assert body["version"] == saved.json()["id"]
    assert [e["key"] for e in body["edits"]] == [ADDRESS]
    second = post(content_client, confirm(base=saved.json()["id"], value="Martin Buberplein 16, Kerkrade"))
    assert second.status_code == 201, second.text
    values = [e["change"].get("value") for e in overlay(content_client)["edits"]]
    assert values == ["Martin Buberplein 16, Kerkrade"]
    history = content_client.get("/api/v1/content/history", headers={"X-API-Key": CONTENT_KEY}).json()["edits"]
    assert [(e["id"], e["role"], e["base"]) for e in history] == [
        (second.json()["id"], "redacteur", saved.json()["id"]),
        (saved.json()["id"], "redacteur", 0),
    ]


@pytest.mark.parametrize(
    ("body", "dutch"),
    [
        (confirm(confirmed_by="Jan Jansen"), "Schrijf nooit een naam"),
        (confirm(state="assumed", confirmed_by=None), "Schrijf in de notitie"),
        (confirm(source="bestaat_niet"), "Kies een bron uit de lijst"),
        (confirm(checked_on="2026-13-01"), "Deze datum klopt niet"),
        ({**confirm(), "key": "location/bestaat_niet/address"}, "Deze locatie bestaat niet"),
        (
            {
                "key": "location/hub_kerkrade/closure/a1",
                "base": 0,
                "change": {"from": "2026-12-05", "to": "2026-12-01", "reason": "Verbouwing"},
                "role": "redacteur",
            },
            "De einddatum ligt voor de begindatum",
        ),
        (
            {
                "key": "location/hub_kerkrade/times/informatiepunt",
                "base": 0,
                "change": {**confirm()["change"], "weekly": [BAD_SLOT]},
                "role": "redacteur",
            },
            "Deze tijd klopt niet",
        ),
    ],
)
def test_bad_input_is_refused_in_dutch_and_nothing_is_stored(
    content_client: TestClient, body: dict[str, Any], dutch: str
) -> None:
    response = post(content_client, body)
    assert response.status_code == 422, response.text
    assert dutch in response.json()["message"]
    assert overlay(content_client) == {"version": 0, "edits": []}


def test_a_stale_save_of_the_same_fact_is_refused_with_the_winner(content_client: TestClient) -> None:
    first = post(content_client, confirm(value="Eerste adres 1, Kerkrade"))
    assert first.status_code == 201
    late = post(content_client, confirm(value="Tweede adres 2, Kerkrade"))  # also based on version 0
    assert late.status_code == 409
    assert "Iemand anders" in late.json()["message"]
    assert late.json()["current"]["change"]["value"] == "Eerste adres 1, Kerkrade"
    assert [e["change"]["value"] for e in overlay(content_client)["edits"]] == ["Eerste adres 1, Kerkrade"]


def test_two_staff_saving_at_once_lose_nothing(content_client: TestClient) -> None:
    """Eight threads save at the same moment: four on one fact (one wins, three get the winner back) and four on
    four other facts (all win). Every save is either stored or answered with the edit that beat it."""
    barrier = threading.Barrier(8)
    results: dict[str, Any] = {}

    def save(name: str, body: dict[str, Any]) -> None:
        barrier.wait()
        results[name] = post(content_client, body)

    same = [(f"same{i}", confirm(value=f"Adres {i}, Kerkrade")) for i in range(4)]
    other_keys = ["location/cursusbalie_kerkrade/address", "location/cursusbalie_kerkrade/phone",
                  "location/gemeente_voerendaal/address", "location/gemeente_voerendaal/phone"]  # fmt: skip
    others = [
        (f"other{i}", {**confirm(source="parkstad_taal_2021"), "key": key})
        if "cursusbalie" in key
        else (f"other{i}", {**confirm(source="voerendaal_magazine"), "key": key})
        for i, key in enumerate(other_keys)
    ]
    threads = [threading.Thread(target=save, args=item) for item in (*same, *others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = {name: response.status_code for name, response in results.items()}
    assert sorted(codes[name] for name, _ in same) == [201, 409, 409, 409], codes
    assert all(codes[name] == 201 for name, _ in others), codes
    winner = next(results[name].json() for name, _ in same if codes[name] == 201)
    for name, _ in same:
        if codes[name] == 409:
            assert results[name].json()["current"]["id"] == winner["id"]
    stored = {e["key"]: e for e in overlay(content_client)["edits"]}
    assert set(stored) == {ADDRESS, *other_keys}
    assert stored[ADDRESS]["change"]["value"] == winner["change"]["value"]


def test_edits_survive_a_restart(database_url: str) -> None:
    settings = make_settings(database_url, content_key=CONTENT_KEY)
    app = create_app(settings)
    with TestClient(app) as first:
        assert post(first, confirm()).status_code == 201
    app.state.ctx.engine.dispose()
    again = create_app(settings)
    with TestClient(again) as second:
        assert [e["key"] for e in overlay(second)["edits"]] == [ADDRESS]
    again.state.ctx.engine.dispose()


def test_saving_needs_the_content_scope_and_reading_any_key(content_client: TestClient) -> None:
    refused = content_client.post("/api/v1/content/edits", json=confirm(), headers={"X-API-Key": INGEST_KEY})
    assert refused.status_code == 403
    assert content_client.get("/api/v1/content/overlay").status_code == 401
    assert content_client.get("/api/v1/content/history", headers={"X-API-Key": INGEST_KEY}).status_code == 403


def test_export_writes_the_stored_edits_as_knowledge_yaml(
    content_client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import yaml

    from api.cli import main

    assert post(content_client, confirm(value="Martin Buberplein 17, Kerkrade")).status_code == 201
    monkeypatch.setenv("API_DATABASE_URL", database_url)
    out = tmp_path / "export.yml"
    assert main(["content", "export", "--out", str(out)]) == 0
    blocks = yaml.safe_load(out.read_text(encoding="utf-8"))["knowledge/locations.yml"]
    assert blocks["locations[id=hub_kerkrade].address"]["value"] == "Martin Buberplein 17, Kerkrade"
    assert blocks["locations[id=hub_kerkrade].address"]["state"] == "confirmed"
