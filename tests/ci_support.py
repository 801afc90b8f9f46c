"""One rule for a missing service or tool in every test directory: in CI (CI=true) it fails the step,
elsewhere it skips with a loud reason. A green CI run must mean the part was tested, not that it was absent."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip on a developer's machine; ``reason`` says what is missing and how to get it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing part fails the step)", pytrace=False)
    pytest.skip(reason)
