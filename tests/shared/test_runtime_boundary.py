"""The two runtimes stay apart: code that runs inside Rasa (Python 3.10), code of the 3.11 processes, and code
both import each live in their own places, and nothing imports across that line.

Why: a module the Rasa process imports from a 3.11-only place (or the other way round) works on a developer's
machine, where both trees are present, and fails only in an image that copies one side (the Rasa image could not
start its channels for exactly that reason). ARCHITECTURE.md, "Where each responsibility lives", names them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Places, most specific first: bot/connectors and bot/nlu run inside Rasa, the rest of bot/ in the adapters,
# the staff page and the widget server.
SIDES: tuple[tuple[str, str], ...] = (
    ("bot/connectors", "rasa"),
    ("bot/nlu", "rasa"),
    ("actions", "rasa"),
    ("knowledge", "both"),
    ("shared", "both"),
    ("api", "app"),
    ("bot", "app"),
)
RASA_ONLY_PACKAGES = {"rasa", "rasa_sdk", "sanic"}
APP_ONLY_PACKAGES = {"fastapi", "starlette", "uvicorn", "telegram", "pydantic_settings"}
# What each side may not import: our places of the other side, and the other runtime's own packages.
FORBIDDEN: dict[str, tuple[set[str], set[str]]] = {
    "rasa": ({"app"}, APP_ONLY_PACKAGES),
    "app": ({"rasa"}, RASA_ONLY_PACKAGES),
    "both": ({"rasa", "app"}, RASA_ONLY_PACKAGES | APP_ONLY_PACKAGES),
}


def side_of_module(dotted: str) -> str | None:
    """The side of a first-party module named ``dotted`` (None: not ours, or a place without a side)."""
    path = dotted.replace(".", "/")
    for place, side in SIDES:
        if path == place or path.startswith(place + "/"):
            return side
    return None


def side_of_file(file: Path) -> str | None:
    relative = file.relative_to(REPO).with_suffix("").as_posix()
    return side_of_module(relative.removesuffix("/__init__").replace("/", "."))


def imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def crossings(side: str, imports: set[str]) -> list[str]:
    """The imports that a module of ``side`` may not make."""
    places, packages = FORBIDDEN[side]
    bad: list[str] = []
    for name in sorted(imports):
        if name == "bot":
            continue  # the empty package bot/__init__.py belongs to neither side
        if side_of_module(name) in places or name.split(".")[0] in packages:
            bad.append(name)
    return bad


def _python_files() -> list[Path]:
    files = [p for place, _ in SIDES for p in (REPO / place).rglob("*.py")]
    return sorted(set(files))


@pytest.mark.parametrize("file", _python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_imports_across_the_runtime_line(file: Path) -> None:
    side = side_of_file(file)
    assert side is not None
    imports = imported_modules(file.read_text(encoding="utf-8"))
    assert crossings(side, imports) == [], f"{file.relative_to(REPO)} ({side}) imports across the line"


@pytest.mark.parametrize(
    ("side", "source", "crossing"),
    [
        ("rasa", "from bot.telegram.app import build_application", "bot.telegram.app"),
        ("rasa", "import fastapi", "fastapi"),
        ("app", "from bot.connectors.webchat import WebchatInput", "bot.connectors.webchat"),
        ("app", "from rasa_sdk import Action", "rasa_sdk"),
        ("both", "from api.db import make_engine", "api.db"),
        ("both", "from actions.turn import Turn", "actions.turn"),
    ],
)
def test_the_check_sees_a_crossing(side: str, source: str, crossing: str) -> None:
    assert crossing in crossings(side, imported_modules(source))


def test_shared_code_may_be_imported_from_both_sides() -> None:
    source = "from shared.input_text import clean_text\nfrom knowledge.pii import mask_pii\n"
    assert crossings("rasa", imported_modules(source)) == []
    assert crossings("app", imported_modules(source)) == []
