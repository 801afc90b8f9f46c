"""`make` hands processes exactly the settings they read (.env.example's names), not its own variables.

Before, ``.EXPORT_ALL_VARIABLES`` exported every make variable (test lists, bench sizes) into every process.
Standard library only: runs in either environment, needs GNU make (``--eval``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.ci_support import unavailable

REPO = Path(__file__).resolve().parents[2]
TOOL_PATHS = {"NGINX_BIN", "COMPOSE_SCHEMA"}  # the offline checkers' paths (mk/ops.mk), read by tests/ops
CODE_DIRS = ("actions", "api", "bot", "knowledge", "shared", "scripts", "quality", "tests")


def _environment_under_make() -> dict[str, str]:
    if shutil.which("make") is None:
        unavailable("MAKE NOT FOUND: GNU make is needed to read the Makefile's exports")
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "_print_env: ; @env", "_print_env"],
        cwd=REPO, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def _documented_names() -> set[str]:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def _names_with_a_value() -> set[str]:
    """Names the Makefile sets, plus those a developer's git-ignored .env sets (the Makefile includes it)."""
    names = set(
        re.findall(r"^([A-Z][A-Z0-9_]*) [?:]?= ", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    )
    dotenv = REPO / ".env"
    if dotenv.exists():
        names |= set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)\s*[?:]?=", dotenv.read_text(encoding="utf-8"), re.M))
    return names


def test_make_exports_the_documented_settings_that_have_a_value() -> None:
    exported = set(_environment_under_make()) - {
        "PATH",
        "MAKEFLAGS",
        "MAKELEVEL",
        "MFLAGS",
        "PWD",
        "SHLVL",
        "_",
    }
    expected = (_documented_names() & _names_with_a_value()) | TOOL_PATHS
    assert exported == expected


def test_make_keeps_its_own_variables_to_itself() -> None:
    env = _environment_under_make()
    for name in ("TEST_STEPS", "BENCH_STEPS", "APP_MYPY_PATHS", "FUZZ_COUNT", "RASA_PY", "MODEL", "OPS_TOOLS"):
        assert name not in env


def test_every_exported_setting_is_read_by_a_process() -> None:
    sources = [p for d in CODE_DIRS for p in (REPO / d).rglob("*.py")] + [
        REPO / "Procfile.dev",
        *REPO.glob("*.yml"),
    ]
    code = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sources)
    for name in _documented_names() | TOOL_PATHS:
        assert name in code, f"{name} is exported by make (.env.example) but nothing reads it"


def test_every_makefile_default_is_documented() -> None:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    for name in re.findall(r"^([A-Z][A-Z0-9_]*) \?= ", text, re.MULTILINE):
        assert name in _documented_names(), (
            f"the Makefile gives {name} a default but .env.example does not list it"
        )
