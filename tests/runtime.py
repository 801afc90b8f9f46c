"""Which interpreter runs which tests.

Rasa 3.6 needs Python < 3.11, the API and adapters run on 3.11: the two environments cannot run each other's
tests. Each test directory's ``__init__.py`` says which one it needs by calling :func:`runs_in`. pytest imports
that package before the directory's conftest and test modules, so a run from the wrong environment fails at
once with the command to use, instead of an ImportError deep in a fixture or, worse, a skip (``require_module``
skips on a developer's machine).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Mapping
from pathlib import Path

import pytest

ENVIRONMENTS = {
    "rasa": ".venv-rasa (Python 3.10: Rasa, actions, connectors)",
    "app": ".venv-app (Python 3.11: API, adapters, staff page)",
}
BOTH = "both"
TESTS_ROOT = Path(__file__).resolve().parent


def current_runtime() -> str:
    """``rasa`` where Rasa is installed (it needs Python < 3.11), else ``app``."""
    return "rasa" if importlib.util.find_spec("rasa") is not None else "app"


def _refuse(what: str, wanted: str) -> pytest.UsageError:
    return pytest.UsageError(
        f"{what} runs in {ENVIRONMENTS[wanted]}, not in {ENVIRONMENTS[current_runtime()]}: run it through its "
        "make target (make help lists them) or with that environment's `python -m pytest`"
    )


def runs_in(package: str, runtime: str, files: Mapping[str, str] | None = None) -> str:
    """Declares which environment (``rasa``, ``app`` or ``both``) runs the test directory ``package`` (pass
    its ``__name__``), and refuses the other one.

    ``files`` names single test files that need a different environment; the directory then accepts both, and
    :func:`check_file` refuses each such file in the wrong one.
    """
    for wanted in {runtime, *(files or {}).values()}:
        if wanted != BOTH and wanted not in ENVIRONMENTS:
            raise ValueError(f"unknown runtime {wanted!r}; use one of {sorted(ENVIRONMENTS)} or {BOTH!r}")
    if not files and runtime not in (BOTH, current_runtime()):
        raise _refuse(package.replace(".", "/"), runtime)
    return runtime


def _declaration(init_file: Path) -> tuple[str, dict[str, str]]:
    """``RUNTIME = runs_in(__name__, "...", RUNTIME_OF)`` and ``RUNTIME_OF = {...}`` of a test package, read
    without importing it (importing it in the wrong environment is what refuses)."""
    runtime: str | None = None
    files: dict[str, str] = {}
    for node in ast.parse(init_file.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        name = target.id if isinstance(target, ast.Name) else ""
        if name == "RUNTIME_OF":
            files = ast.literal_eval(value)
        elif name == "RUNTIME" and isinstance(value, ast.Call) and len(value.args) >= 2:
            runtime = ast.literal_eval(value.args[1])
    if runtime is None:
        raise pytest.UsageError(
            f"{init_file.relative_to(TESTS_ROOT.parent)} does not declare RUNTIME = runs_in(__name__, ...): "
            "every test directory says which environment runs it"
        )
    return runtime, files


def declared_runtime(test_file: Path) -> str:
    """The environment that ``test_file``'s directory declares for it."""
    directory = test_file.resolve().parent
    if directory == TESTS_ROOT:
        return BOTH
    runtime, files = _declaration(directory / "__init__.py")
    return files.get(test_file.name, runtime)


def runs_here(test_file: Path) -> bool:
    """Whether this environment runs ``test_file``."""
    return declared_runtime(test_file) in (BOTH, current_runtime())


def check_file(test_file: Path) -> None:
    """Refuses a test file in the environment its directory does not give it."""
    wanted = declared_runtime(test_file)
    if wanted not in (BOTH, current_runtime()):
        raise _refuse(str(test_file.resolve().relative_to(TESTS_ROOT.parent)), wanted)
