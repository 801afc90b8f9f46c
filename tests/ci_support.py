"""One rule for a missing service or tool in every test directory: in CI (CI=true) it fails the step,
elsewhere it skips with a loud reason. A green CI run must mean the part was tested, not that it was absent."""

from __future__ import annotations

import os
from types import ModuleType
from typing import NoReturn

import pytest

IN_CI = "(CI=true: a missing part fails the step)"


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip on a developer's machine; ``reason`` says what is missing and how to get it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} {IN_CI}", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, reason: str, minversion: str | None = None) -> ModuleType:
    """``pytest.importorskip`` at module level, except that in CI a missing module (a test run in the wrong
    environment, or an install step that did not happen) fails instead of skipping the whole file."""
    try:
        return pytest.importorskip(name, minversion=minversion, reason=reason)
    except pytest.skip.Exception:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} {IN_CI}", pytrace=False)
        raise


# `make` exports every name of .env.example, the optional editor keys of the staff content page among them, with
# their development placeholders. A process a test starts in production or test mode refuses a placeholder, so a
# test that does not exercise the editor role starts its processes without them.
EDITOR_SECRETS = ("API_CONTENT_KEY", "STAFF_EDITOR_KEY")


def without_editor_secrets(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` without the inherited editor keys (see ``EDITOR_SECRETS``)."""
    return {name: value for name, value in environ.items() if name not in EDITOR_SECRETS}
