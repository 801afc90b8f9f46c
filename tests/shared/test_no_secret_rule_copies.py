"""One secret policy, no copies: no runtime module keeps its own placeholder list, marker, minimum length
or development default, and every module that reads a secret asks shared/secret_policy.py about it.

Scans the code of every process (actions/, api/, bot/, knowledge/, quality/, shared/). Not scripts/ or tests/:
their development values (``test-ingest-key-change-me`` in scripts/stack.py) are inputs, not rules.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNTIME = ("actions", "api", "bot", "knowledge", "quality", "shared")
SKIP_PARTS = {"vendor", "node_modules", "static", "__pycache__"}
POLICY = REPO / "shared" / "secret_policy.py"

# Names the four old rules used (bot/settings.py, api/settings.py, bot/staff/settings.py).
OLD_NAMES = re.compile(r"^(PLACEHOLDER_MARKER|MIN_KEY_LENGTH|_is_placeholder|DEV_[A-Z_]+_(KEY|SECRET|TOKEN))$")
MARKER_WORDS = ("changeme", "changethis")  # how every placeholder in this project is spelt, separators aside
OLD_LIST_WORDS = {"changeme", "changethis", "change-me", "xxx", "todo", "secret"}
SECRET_NAME = re.compile(r"^[A-Z][A-Z0-9_]*_(KEY|SECRET|TOKEN)$")


def runtime_modules(root: Path = REPO) -> list[Path]:
    return sorted(
        path
        for top in RUNTIME
        for path in (root / top).rglob("*.py")
        if not SKIP_PARTS.intersection(path.relative_to(root).parts)
    )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _squashed(text: str) -> str:
    return re.sub(r"[-_.\s]+", "", text.lower())


def copies_of_the_rule(path: Path) -> list[str]:
    """What in one module looks like its own placeholder rule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = node.name
        elif isinstance(node, ast.alias):
            name = node.asname or node.name.rsplit(".", 1)[-1]
        if name and OLD_NAMES.match(name):
            found.append(f"line {getattr(node, 'lineno', '?')}: name {name}")
        text = _string(node)
        if text is not None and id(node) not in docstrings and any(w in _squashed(text) for w in MARKER_WORDS):
            found.append(f"line {getattr(node, 'lineno', '?')}: placeholder literal")
        if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            words = {value.lower() for value in strings}
            if len(words & OLD_LIST_WORDS) >= 2:
                found.append(f"line {node.lineno}: a list of placeholder words")
    return found


def nodes_of(path: Path) -> Iterator[ast.AST]:
    """Every node of a Python file, for the checks that look for one construct anywhere in it."""
    return ast.walk(ast.parse(path.read_text(encoding="utf-8")))


def reads_a_secret(path: Path) -> bool:
    """Declares a pydantic SecretStr, or reads a *_KEY / *_SECRET / *_TOKEN variable by name."""
    for node in nodes_of(path):
        if isinstance(node, ast.Name) and node.id == "SecretStr":
            return True
        key = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr in ("get", "getenv", "pop") and isinstance(node.args[0], ast.Constant):
                key = node.args[0].value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        if isinstance(key, str) and SECRET_NAME.match(key):
            return True
    return False


def uses_the_policy(path: Path) -> bool:
    for node in nodes_of(path):
        if isinstance(node, ast.ImportFrom) and node.module == "shared.secret_policy":
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "shared"
            and any(alias.name == "secret_policy" for alias in node.names)
        ):
            return True
    return False


def test_no_module_but_the_policy_keeps_a_placeholder_rule() -> None:
    offenders = {
        str(path.relative_to(REPO)): problems
        for path in runtime_modules()
        if path != POLICY and (problems := copies_of_the_rule(path))
    }
    assert offenders == {}, "keep the placeholder rule in shared/secret_policy.py only"


def test_every_module_that_reads_a_secret_asks_the_policy() -> None:
    readers = [path for path in runtime_modules() if reads_a_secret(path)]
    assert {p.relative_to(REPO).as_posix() for p in readers} >= {
        "bot/settings.py",
        "api/settings.py",
        "bot/staff/settings.py",
        "bot/connectors/triage.py",
        "actions/outbox_relay.py",
    }
    assert [p.relative_to(REPO).as_posix() for p in readers if not uses_the_policy(p)] == []


def test_the_scan_sees_an_old_rule(tmp_path: Path) -> None:
    # The scan itself: each old spelling is found.
    samples = [
        'PLACEHOLDERS = frozenset({"", "changethis", "changeme", "secret", "xxx", "todo"})\n',
        'PLACEHOLDER_MARKER = "change-me"\n',
        'DEV_STAFF_PAGE_KEY = "dev-staff-page-change-me"\n',
        "MIN_KEY_LENGTH = 16\n",
    ]
    for number, text in enumerate(samples):
        path = tmp_path / f"sample_{number}.py"
        path.write_text(text, encoding="utf-8")
        assert copies_of_the_rule(path), text
