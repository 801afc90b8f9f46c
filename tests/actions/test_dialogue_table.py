"""The dialogue core as a table, without Rasa: one row of ARCHITECTURE.md "Dialogue moves" per case.

Each row is a Turn value in (the state: which slots are set; the event: intent / kind of message) and the move
out: which reply the resident sees, the exact slot changes, and the (kind, topic) of every reach event counted.
The same rows end to end: tests/actions/test_counting.py (real actions, real domain) and
tests/e2e/test_counting_e2e.py (REST chat to the statistics API).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from actions.dialogue import Move, respond
from actions.turn import Reply, Turn
from knowledge import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
PHISHING = "wat is phishing"
PASTED = (
    "Beste klant, uw rekening wordt vandaag geblokkeerd. Klik direct op deze link om uw gegevens te "
    "controleren: http://rabo-veilig-inloggen.example.com/verify"
)
COUNTED = {"counted": True}  # every row but the first is a later turn of the conversation


def reply_kind(catalog: Catalog, reply: Reply) -> str:
    """Name what the resident was shown, from the content it came from."""
    texts = [m.text for m in reply.messages]
    last = texts[-1] if texts else ""
    message = catalog.message
    for label, key in (
        ("ask_place", "ask_place"),
        ("place_unknown", "place_unknown"),
        ("feedback_thanks", "feedback_thanks"),
        ("feedback_again", "feedback_again"),
        ("feedback_sorry", "feedback_sorry"),
        ("simpler_without_topic", "simpler_without_topic"),
    ):
        if last == message(key):
            return label
    if last == catalog.topics["buiten_bereik"].answer:
        return "not_understood"
    if last == catalog.topics["bericht_controleren"].answer:
        return "ask_message"
    if last.startswith(message("feedback_question")):
        return "answer"
    if any(t.startswith(message("place_remembered", gemeente="")[:10]) for t in texts):
        return "place_remembered"
    return "other:" + last[:60]


# (id, move, turn, expected reply kind, expected slot changes, expected counted (kind, topic) set)
# What a checked message changes and counts, however it arrived (pasted after the question, or forwarded).
CHECKED_SLOTS = {
    "topic": "bericht_controleren",
    "awaiting_message_check": False,
    "message_check_result": "SET",
    "awaiting_place": False,
}
CHECKED_COUNTS = {
    ("message_checked", "bericht_controleren"),
    ("message_signal", "bericht_controleren"),
    ("referred", "bericht_controleren"),
}

ROWS: list[tuple[str, Move, Turn, str, dict[str, Any], set[tuple[str, str | None]]]] = [
    (
        "new conversation: counted once, then answered",
        "answer_topic",
        Turn(text=PHISHING, intent="online_veiligheid"),
        "answer",
        {
            "conversation_counted": True,
            "topic": "online_veiligheid",
            "awaiting_place": False,
            "feedback_topic": "online_veiligheid",
        },
        {
            ("conversation_started", None),
            ("answered", "online_veiligheid"),
            ("referred", "online_veiligheid"),
        },
    ),
    (
        "topic that needs the place, place unknown: ask it, count nothing",
        "answer_topic",
        Turn(
            text="wanneer is het e-cafe",
            intent="e_cafe",
            topic="online_veiligheid",
            feedback_topic="online_veiligheid",
            **COUNTED,
        ),
        "ask_place",
        {"topic": "e_cafe", "awaiting_place": True, "feedback_topic": None},
        set(),
    ),
    (
        "place asked, place button: the pending answer for that municipality",
        "resolve_place",
        Turn(
            text='/inform_place{"place":"kerkrade"}',
            intent="inform_place",
            place_entity="kerkrade",
            topic="e_cafe",
            awaiting_place=True,
            **COUNTED,
        ),
        "answer",
        {"topic": "e_cafe", "awaiting_place": False, "feedback_topic": "e_cafe", "gemeente": "kerkrade"},
        {("answered", "e_cafe"), ("referred", "e_cafe")},
    ),
    (
        "place asked, bare place name classified as a topic: still the place",
        "answer_topic",
        Turn(text="kerkrade", intent="bibliotheek", topic="e_cafe", awaiting_place=True, **COUNTED),
        "answer",
        {"topic": "e_cafe", "awaiting_place": False, "feedback_topic": "e_cafe", "gemeente": "kerkrade"},
        {("answered", "e_cafe"), ("referred", "e_cafe")},
    ),
    (
        "nothing pending, a place: remembered, counted nothing",
        "resolve_place",
        Turn(text="ik woon in brunssum", intent="inform_place", **COUNTED),
        "place_remembered",
        {"awaiting_place": False, "gemeente": "brunssum"},
        set(),
    ),
    (
        "place asked, unknown place: ask again",
        "resolve_place",
        Turn(
            text="Atlantis",
            intent="inform_place",
            place_entity="Atlantis",
            topic="e_cafe",
            awaiting_place=True,
            **COUNTED,
        ),
        "place_unknown",
        {"awaiting_place": True},
        set(),
    ),
    (
        "uncertain message: not understood, closes the open questions",
        "answer_topic",
        Turn(
            text="blub blub",
            intent="nlu_fallback",
            topic="online_veiligheid",
            feedback_topic="online_veiligheid",
            awaiting_place=True,
            **COUNTED,
        ),
        "not_understood",
        {"awaiting_place": False, "feedback_topic": None},
        {("not_understood", None)},
    ),
    (
        "feedback open, yes: counted once, closes it",
        "record_feedback",
        Turn(
            text="/affirm",
            intent="affirm",
            topic="online_veiligheid",
            feedback_topic="online_veiligheid",
            **COUNTED,
        ),
        "feedback_thanks",
        {"feedback_topic": None},
        {("feedback", "online_veiligheid")},
    ),
    (
        "feedback open, no: counted, offers a person",
        "record_feedback",
        Turn(
            text="nee", intent="deny", topic="online_veiligheid", feedback_topic="online_veiligheid", **COUNTED
        ),
        "feedback_sorry",
        {"feedback_topic": None},
        {("feedback", "online_veiligheid")},
    ),
    (
        "feedback closed, yes again: friendly, not counted",
        "record_feedback",
        Turn(text="ja", intent="affirm", topic="online_veiligheid", **COUNTED),
        "feedback_again",
        {},
        set(),
    ),
    (
        "yes without any answer: not understood",
        "record_feedback",
        Turn(text="ja", intent="affirm", **COUNTED),
        "not_understood",
        {"awaiting_place": False},
        {("not_understood", None)},
    ),
    (
        "simpler: the last answer's simple text, feedback stays open, nothing counted",
        "simplify",
        Turn(
            text="/simpler",
            intent="simpler",
            topic="online_veiligheid",
            feedback_topic="online_veiligheid",
            **COUNTED,
        ),
        "simple:online_veiligheid",
        {},
        set(),
    ),
    (
        "simpler without an answer",
        "simplify",
        Turn(text="/simpler", intent="simpler", **COUNTED),
        "simpler_without_topic",
        {},
        set(),
    ),
    (
        "hand-off before the place: the way to a person and the place question; keeps the subject",
        "answer_topic",
        Turn(
            text="ik wil iemand spreken",
            intent="medewerker",
            topic="geldzaken",
            feedback_topic="geldzaken",
            **COUNTED,
        ),
        "ask_place",
        {"topic": "medewerker", "awaiting_place": True, "feedback_topic": None, "handoff_topic": "geldzaken"},
        set(),
    ),
    (
        "hand-off waiting, the place: counted under its subject",
        "resolve_place",
        Turn(
            text="Kerkrade",
            intent="inform_place",
            topic="medewerker",
            awaiting_place=True,
            handoff_topic="geldzaken",
            **COUNTED,
        ),
        "handoff",
        {"topic": "medewerker", "awaiting_place": False, "handoff_topic": None, "gemeente": "kerkrade"},
        {("referred", "geldzaken"), ("handoff_requested", "geldzaken")},
    ),
    (
        "message check asked: ask for the message",
        "answer_topic",
        Turn(text="is dit bericht echt?", intent="bericht_controleren", **COUNTED),
        "ask_message",
        {
            "topic": "bericht_controleren",
            "awaiting_message_check": True,
            "message_check_result": None,
            "awaiting_place": False,
        },
        {("answered", "bericht_controleren")},
    ),
    (
        "message check waiting, the pasted message: checked",
        "answer_topic",
        Turn(
            text=PASTED,
            intent="online_veiligheid",
            confidence=0.5,
            topic="bericht_controleren",
            awaiting_check=True,
            **COUNTED,
        ),
        "checked",
        CHECKED_SLOTS,
        CHECKED_COUNTS,
    ),
    (
        "forwarded message: checked at once",
        "resolve_place",
        Turn(text=PASTED, intent="inform_place", forwarded=True, **COUNTED),
        "checked",
        CHECKED_SLOTS,
        CHECKED_COUNTS,
    ),
    (
        "message check waiting, a confident short question: answered instead",
        "answer_topic",
        Turn(
            text=PHISHING,
            intent="online_veiligheid",
            confidence=0.95,
            topic="bericht_controleren",
            awaiting_check=True,
            **COUNTED,
        ),
        "answer",
        {
            "awaiting_message_check": False,
            "topic": "online_veiligheid",
            "awaiting_place": False,
            "feedback_topic": "online_veiligheid",
        },
        {("answered", "online_veiligheid"), ("referred", "online_veiligheid")},
    ),
]


def _kind(reply: Reply, turn: Turn, move: Move) -> str:
    texts = [m.text for m in reply.messages]
    if move == "simplify" and turn.topic and texts == [CATALOG.topics[turn.topic].simple]:
        return f"simple:{turn.topic}"
    if any(t.startswith(CATALOG.message("referral_intro")) for t in texts) and turn.topic == "medewerker":
        return "handoff"
    if any(c.kind == "message_checked" for c in reply.counts):
        return "checked"
    return reply_kind(CATALOG, reply)


@pytest.mark.parametrize(
    ("move", "turn", "kind", "slots", "counted"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_each_row_of_the_dialogue_table(
    move: Move, turn: Turn, kind: str, slots: dict[str, Any], counted: set[tuple[str, str | None]]
) -> None:
    reply = respond(CATALOG, move, turn)
    changed = {
        k: ("SET" if k == "message_check_result" and v is not None else v) for k, v in reply.slots.items()
    }
    assert _kind(reply, turn, move) == kind
    assert changed == slots
    assert {(c.kind, c.topic) for c in reply.counts} == counted


def test_reach_events_carry_the_municipality_the_turn_knows() -> None:
    turn = Turn(text=PHISHING, intent="online_veiligheid", gemeente="voerendaal", counted=True)
    reply = respond(CATALOG, "answer_topic", turn)
    answered = [c for c in reply.counts if c.kind == "answered"]
    assert [c.gemeente for c in answered] == ["voerendaal"]


def test_the_core_does_not_import_rasa_sdk() -> None:
    core = ["dialogue", "turn", "replies", "message_check", "context", "render", "names"]
    for name in core:
        tree = ast.parse((ROOT / "actions" / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {
            f"actions.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "actions"
            for alias in node.names
        }
        assert not any(m.split(".")[0] == "rasa_sdk" for m in imported), f"actions/{name}.py imports rasa_sdk"
        # and transitively: every actions.* module the core imports is itself in the core
        assert {m for m in imported if m.startswith("actions.")} <= {f"actions.{n}" for n in core}, name
