"""Inline trackers (the scenario stays readable) and readers for what an action did."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

FRIDAY_MORNING = "2025-11-28T10:30:00+01:00"
WEDNESDAY_EVENING = "2025-11-26T19:00:00+01:00"


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
    part_rankings: list[list[tuple[str, float]]] | None = None,
    input_channel: str = "rest",
) -> Tracker:
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
    }
    if part_rankings is not None:  # what bot/nlu/second_part.py adds to the parse data
        latest["part_rankings"] = [[{"name": n, "confidence": c} for n, c in part] for part in part_rankings]
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel}]
    return Tracker("test-user", slots or {}, latest, events, False, None, {}, "action_listen")


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# The HuB Informatiepunt's Friday times, as locations.yml has them (assumed), and as staff would confirm them.
HUB_TIMES_ASSUMED = (
    "        state: assumed\n"
    "        source: ido_2021\n"
    "        checked_on: 2021-06-17\n"
    "        note: Tijden uit 2021. Staf moet bevestigen of ze nog kloppen.\n"
)
HUB_TIMES_CONFIRMED = (
    "        state: confirmed\n"
    "        source: ido_2021\n"
    "        checked_on: 2025-11-20\n"
    "        confirmed_by: medewerker Informatiepunt\n"
)


def edited_content(tmp_path: Path, *edits: tuple[str, str, str]) -> Path:
    """A copy of knowledge/ with ``(file, old, new)`` text edits applied (each ``old`` must occur)."""
    import shutil

    from knowledge.loader import CONTENT_DIR

    target = tmp_path / "knowledge"
    shutil.copytree(CONTENT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name, old, new in edits:
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found in {name}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target
