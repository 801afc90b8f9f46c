"""Settings every test directory shares.

Hypothesis's per-example deadline (200 ms) is a timing assertion: on a loaded 2-core machine a correct masking
run took 346 ms and failed the suite. Speed is measured by benchmark commands (BENCHMARKS.md), never asserted in
unit tests, so the deadline is off everywhere; the number of examples stays as each test sets it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime import check_file, runs_here


def pytest_configure(config: pytest.Config) -> None:
    try:
        from hypothesis import settings
    except ImportError:  # an environment without hypothesis runs no property tests
        return
    settings.register_profile("wegwijzer", deadline=None)
    settings.load_profile("wegwijzer")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A mixed directory (``RUNTIME_OF``) holds files for both environments: a file of the other one fails
    when it was named on the command line, and is left out when only its directory was."""
    if not (collection_path.suffix == ".py" and collection_path.name.startswith("test_")):
        return None
    if runs_here(collection_path):
        return None
    named = {Path(arg.split("::")[0]).resolve() for arg in config.args}
    return collection_path.resolve() not in named  # a named one reaches pytest_collect_file, which refuses it


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    """Refuses a test file of the other environment that was named on the command line."""
    if file_path.suffix == ".py" and file_path.name.startswith("test_"):
        check_file(file_path)
    return None
