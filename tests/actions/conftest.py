"""Action-test helpers: inline trackers (the scenario stays readable) and a throwaway outbox."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
FRIDAY_MORNING = "2025-11-28T10:30:00+01:00"
WEDNESDAY_EVENING = "2025-11-26T19:00:00+01:00"


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture()
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from actions import outbox as outbox_module

    path = tmp_path / "outbox.sqlite3"
    monkeypatch.setenv("OUTBOX_PATH", str(path))
    outbox_module.reset_connection()
    yield path
    outbox_module.reset_connection()


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJZER_NOW", WEDNESDAY_EVENING)


def outbox_events(path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as db:
        return [json.loads(row[0]) for row in db.execute("SELECT payload FROM outbox ORDER BY seq")]


def make_tracker(
    text: str = "",
    intent: str | None = None,
    *,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    input_channel: str = "rest",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
    }
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel}]
    return Tracker("test-user", slots or {}, latest, events, False, None, {}, "action_listen")


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
