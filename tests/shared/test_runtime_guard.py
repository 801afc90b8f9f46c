"""Running a test directory from the other environment fails with the command to use; it never skips."""

from __future__ import annotations

import subprocess
import sys

from tests.runtime import TESTS_ROOT, current_runtime, declared_runtime

REPO = TESTS_ROOT.parent
# One directory of each environment, chosen because its conftest imports that environment's packages at the top
# (Rasa's SDK, FastAPI), which is where a wrong-environment run used to fail or skip with an unrelated message.
OTHER_SIDE = {"rasa": "tests/api", "app": "tests/actions"}


def _collect(target: str) -> tuple[str, int]:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only", target],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return run.stdout + run.stderr, run.returncode


def test_every_test_directory_declares_its_environment() -> None:
    test_files = sorted(p for p in TESTS_ROOT.rglob("test_*.py") if p.parent != TESTS_ROOT)
    assert test_files
    for test_file in test_files:
        assert declared_runtime(test_file) in ("rasa", "app", "both"), test_file


def test_a_directory_of_the_other_environment_fails_with_the_reason() -> None:
    other = OTHER_SIDE[current_runtime()]
    output, returncode = _collect(other)
    assert returncode != 0, output
    assert f"{other} runs in .venv-" in output, output
    assert "skipped" not in output


def test_a_single_file_of_the_other_environment_in_a_mixed_directory_fails() -> None:
    # tests/ops holds files for both environments (RUNTIME_OF): the directory is accepted, the file is not.
    target = next(
        p for p in sorted((TESTS_ROOT / "ops").glob("test_*.py")) if declared_runtime(p) != current_runtime()
    )
    relative = str(target.relative_to(REPO))
    output, returncode = _collect(relative)
    assert returncode != 0, output
    assert f"{relative} runs in .venv-{declared_runtime(target)}" in output, output
