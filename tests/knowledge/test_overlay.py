"""The content overlay (knowledge/overlay.py, overlay_feed.py, catalog_cache.py): edits pass through the
loader, keys name real facts, and a process keeps the last overlay it had when the API is down, also across a
restart."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from knowledge import catalog_cache
from knowledge.loader import load_catalog
from knowledge.local_facts import local_facts
from knowledge.overlay import Edit, latest, patcher
from knowledge.overlay_feed import OverlayFeed
from knowledge.validation import ContentError

CONFIRMED_ADDRESS = {
    "value": "Martin Buberplein 17, Kerkrade",
    "state": "confirmed",
    "checked_on": "2026-12-02",
    "source": "ido_2021",
    "confirmed_by": "medewerker Informatiepunt",
}


def edit(key: str, change: dict[str, Any], id_: int = 1) -> Edit:
    return Edit(id_, key, change, "editor", "2026-12-02T10:00:00+00:00", 0)


def hub(catalog: Any) -> Any:
    return next(loc for loc in catalog.locations if loc.id == "hub_kerkrade")


def test_every_listed_fact_key_is_one_the_overlay_can_change() -> None:
    catalog = load_catalog()
    for fact in local_facts(catalog):
        if fact.check is None or fact.times:
            continue
        change = {**CONFIRMED_ADDRESS, "value": fact.value, "source": {"url": "https://www.example.nl/x"}}
        changed = load_catalog(patch=patcher(latest([edit(fact.key, change)])))
        assert next(f for f in local_facts(changed) if f.key == fact.key).confirmed, fact.key


def test_a_later_edit_of_the_same_fact_wins() -> None:
    first = edit("location/hub_kerkrade/address", CONFIRMED_ADDRESS, 1)
    second = edit("location/hub_kerkrade/address", {**CONFIRMED_ADDRESS, "value": "Markt 2, Kerkrade"}, 2)
    catalog = load_catalog(patch=patcher(latest([second, first])))
    assert hub(catalog).address.value == "Markt 2, Kerkrade"


def test_a_withdrawn_closure_is_gone() -> None:
    key = "location/hub_kerkrade/closure/ab12"
    closed = edit(key, {"from": "2026-12-04", "to": "2026-12-04", "reason": "Dicht"}, 1)
    withdrawn = edit(key, {**closed.change, "cancelled": True}, 2)
    before = hub(load_catalog()).closures
    added = hub(load_catalog(patch=patcher(latest([closed])))).closures
    gone = hub(load_catalog(patch=patcher(latest([closed, withdrawn])))).closures
    assert len(added) == len(before) + 1 and gone == before


def test_an_edit_the_loader_refuses_raises_content_error() -> None:
    bad = edit("location/hub_kerkrade/closure/x", {"from": "2026-12-05", "to": "2026-12-01", "reason": "Dicht"})
    with pytest.raises(ContentError, match="is before"):
        load_catalog(patch=patcher(latest([bad])))


class _Overlay(BaseHTTPRequestHandler):
    body: bytes = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api() -> Iterator[HTTPServer]:
    edits = [edit("location/hub_kerkrade/address", CONFIRMED_ADDRESS, 7).to_dict()]
    _Overlay.body = json.dumps({"version": 7, "edits": edits}).encode()
    server = HTTPServer(("127.0.0.1", 0), _Overlay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_feed_keeps_the_last_overlay_when_the_api_goes_down_and_after_a_restart(
    api: HTTPServer, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{api.server_address[1]}/api/v1/content/overlay"
    cache = tmp_path / "overlay.json"
    feed = OverlayFeed(url, "key", cache, poll_seconds=0.05)
    version, overlay = feed.current()
    assert version == 7 and set(overlay) == {"location/hub_kerkrade/address"}
    api.shutdown()
    api.server_close()
    assert feed.refresh() is False
    assert feed.current()[0] == 7  # kept
    restarted = OverlayFeed(url, "key", cache, poll_seconds=60)  # a new process, the API still down
    assert restarted.current()[0] == 7


def test_get_catalog_applies_the_feed_from_the_environment(
    api: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_OVERLAY_URL", f"http://127.0.0.1:{api.server_address[1]}/overlay")
    monkeypatch.setenv("CONTENT_OVERLAY_CACHE", str(tmp_path / "overlay.json"))
    monkeypatch.setattr(catalog_cache, "_state", {})
    monkeypatch.setattr(catalog_cache, "_checked_at", {})
    assert hub(catalog_cache.get_catalog()).address.value == "Martin Buberplein 17, Kerkrade"


def test_the_export_names_each_edited_node_as_it_reads_after_the_edit() -> None:
    import yaml

    from knowledge.overlay_export import export_text

    closure = edit(
        "location/hub_kerkrade/closure/ab", {"from": "2026-12-04", "to": "2026-12-04", "reason": "Dicht"}, 2
    )
    new_page = {**CONFIRMED_ADDRESS, "source": {"url": "https://www.example.nl/adres", "name": "Voorbeeld"}}
    overlay = latest([edit("location/hub_kerkrade/address", new_page, 1), closure])
    exported = yaml.safe_load(export_text(overlay, version=2))
    blocks = exported["knowledge/locations.yml"]
    assert blocks["locations[id=hub_kerkrade].address"]["value"] == "Martin Buberplein 17, Kerkrade"
    page_key = blocks["locations[id=hub_kerkrade].address"]["source"]
    assert blocks[f"sources.{page_key}"] == {"url": "https://www.example.nl/adres", "name": "Voorbeeld"}
    assert blocks["locations[id=hub_kerkrade].closures"][-1]["reason"] == "Dicht"
    assert "knowledge/organisations.yml" not in exported


def test_a_single_session_of_a_service_without_times_reaches_residents(monkeypatch: pytest.MonkeyPatch) -> None:
    from knowledge.clock import now
    from knowledge.referrals import referrals_for

    monkeypatch.setenv("WEGWIJZER_NOW", "2026-12-02T11:00:00+01:00")
    change = {"date": "2026-12-09", "start": "14:00", "end": "16:00", "state": "confirmed"}
    change["checked_on"] = "2026-12-02"
    change.update({"confirmed_by": "medewerker e-café", "source": "jaarplan_2026"})
    once = edit("location/bibliotheek_brunssum/session/e_cafe/a", change)
    catalog = load_catalog(patch=patcher(latest([once])))
    (ref,) = referrals_for(catalog, ("e_cafe",), "brunssum", now())
    assert ref.next_sessions == ("woensdag 9 december, 14:00–16:00",)
    assert ref.confirmed("opening_hours")
    (before,) = referrals_for(load_catalog(), ("e_cafe",), "brunssum", now())
    assert before.next_sessions == () and before.opening_hours is None
