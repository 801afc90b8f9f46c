"""The one secret policy (shared/secret_policy.py), in both Python environments: what is refused outside
development, what development tolerates, and that the Makefile's development defaults start."""

from __future__ import annotations

import random
import re
import secrets
import string
from pathlib import Path

import pytest

from shared.secret_policy import (
    MIN_LENGTH,
    check_environ,
    check_secret,
    is_development,
    is_placeholder,
    summary,
)

REPO = Path(__file__).resolve().parents[2]
SECRET_NAME = re.compile(r"^[A-Z][A-Z0-9_]*_(KEY|SECRET|TOKEN)$")


def makefile_dev_secrets() -> dict[str, str]:
    """The secrets the Makefile gives ``make run`` (``NAME ?= value`` lines at its top)."""
    found = {}
    for line in (REPO / "Makefile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*) \?= (.*)$", line)
        if match and SECRET_NAME.match(match.group(1)):
            found[match.group(1)] = match.group(2).strip()
    return found


PLACEHOLDER_VALUES = [
    "dev-pseudonym-key-change-me",
    "dev-staff-key-change-me",
    "CHANGE_ME_BEFORE_PRODUCTION",
    "please change this value now",
    "changethis-changethis",
    "your-secret-key-goes-here",
    "placeholder-for-the-real-key",
    "example-key-0123456789abcdef",
    "dummy-token-0123456789abcdef",
    "todo-fill-in-a-real-key-later",
    "key-xxxxxxxxxxxx-0123456789",
    "a" * 32,
    "ab" * 16,
]


@pytest.mark.parametrize("value", PLACEHOLDER_VALUES)
def test_placeholders_are_refused_outside_development(value: str) -> None:
    assert is_placeholder(value)
    for app_env in (None, "production", "test", "staging", "Production"):
        check = check_secret("SOME_KEY", value, is_development(app_env))
        assert check.refused and not check.usable
        assert check.describe() == "SOME_KEY refused (placeholder)"


@pytest.mark.parametrize("value", PLACEHOLDER_VALUES)
def test_development_tolerates_placeholders(value: str) -> None:
    check = check_secret("SOME_KEY", value, is_development(" Development "))
    assert check.usable and check.tolerated and not check.refused
    assert check.describe() == "SOME_KEY tolerated (placeholder, development)"


def test_short_values_are_refused_outside_development_only() -> None:
    value = "k3y-" + "9" * 3 + "Zq"
    assert len(value) < MIN_LENGTH
    assert check_secret("K", value, False).describe() == f"K refused (shorter than {MIN_LENGTH} characters)"
    assert check_secret("K", value, True).usable


def test_one_character_is_refused() -> None:
    assert check_secret("TELEGRAM_WEBHOOK_SECRET", "a", False).refused


RANDOM = [
    secrets.token_hex(32),
    secrets.token_urlsafe(32),
    "wgw_" + secrets.token_urlsafe(32),  # what `python -m api keys create` prints
    secrets.token_hex(8),
]


@pytest.mark.parametrize("value", RANDOM)
def test_random_values_pass_everywhere(value: str) -> None:
    for development in (False, True):
        check = check_secret("SOME_KEY", value, development)
        assert check.usable and check.problem is None
        assert check.describe() == "SOME_KEY ok"


def test_generated_values_are_not_mistaken_for_placeholders() -> None:
    # Seeded, so the test never flakes: about 1 in 3 million token_urlsafe(32) values is refused.
    rng = random.Random(20261202)
    urlsafe = string.ascii_letters + string.digits + "-_"
    assert not any(is_placeholder("".join(rng.choices(urlsafe, k=43))) for _ in range(50_000))
    assert not any(is_placeholder("".join(rng.choices("0123456789abcdef", k=64))) for _ in range(20_000))


def test_test_suite_values_are_not_placeholders() -> None:
    # Test suites run with APP_ENV=test and such values; "test" and "secret" are deliberately no markers.
    for value in ("test-ingest-key-0123456789abcdef", "test-session-secret-0123456789"):
        assert check_secret("K", value, False).usable


@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
def test_missing_is_missing_in_every_environment(value: str | None) -> None:
    for development in (False, True):
        check = check_secret("SOME_KEY", value, development)
        assert check.missing and not check.usable and not check.refused
        assert check.describe() == "SOME_KEY missing"


def test_strict_secrets_are_checked_in_full_in_development() -> None:
    check = check_secret("WHATSAPP_APP_SECRET", "changethis", True, strict=True)
    assert check.refused and check.describe() == "WHATSAPP_APP_SECRET refused (placeholder)"


def telegram_secret(value: str) -> str:
    return check_secret("T", value, False, charset="A-Za-z0-9_-", max_length=256, strict=True).describe()


def test_charset_and_maximum_length() -> None:
    assert telegram_secret("has space " * 3) == "T refused (characters outside A-Za-z0-9_-)"
    assert telegram_secret("a" + secrets.token_hex(200)) == "T refused (longer than 256 characters)"
    assert telegram_secret(secrets.token_urlsafe(32)) == "T ok"


def test_check_environ_reads_the_variable_and_app_env_from_the_same_place() -> None:
    assert check_environ("X_KEY", {"X_KEY": "dev-x-key-change-me"}).refused  # no APP_ENV: production
    assert check_environ("X_KEY", {"X_KEY": "dev-x-key-change-me", "APP_ENV": "development"}).usable
    assert check_environ("X_KEY", {"APP_ENV": "development"}).missing


def test_summary_names_secrets_and_never_shows_a_value() -> None:
    real = secrets.token_hex(32)
    line = summary(
        [
            check_secret("TRIAGE_STAFF_KEY", "dev-staff-key-change-me", False),
            check_secret("API_INGEST_KEY", real, False),
            check_secret("API_READ_KEY", None, False),
            check_secret("STAFF_PAGE_KEY", "abc", False),
        ]
    )
    assert line == (
        "secrets: TRIAGE_STAFF_KEY refused (placeholder); API_INGEST_KEY ok; API_READ_KEY missing; "
        f"STAFF_PAGE_KEY refused (shorter than {MIN_LENGTH} characters)"
    )
    assert real[:4] not in line and "dev-" not in line and "abc" not in line
    assert summary([]) == "secrets: none"


def test_makefile_development_defaults_start_in_development_and_nowhere_else() -> None:
    defaults = makefile_dev_secrets()
    assert {"TRIAGE_STAFF_KEY", "API_INGEST_KEY", "STAFF_PAGE_KEY", "ADAPTER_PSEUDONYM_KEY"} <= set(defaults)
    for name, value in defaults.items():
        assert check_secret(name, value, True).usable, name
        assert check_secret(name, value, False).refused, name


def test_env_example_secrets_are_refused_outside_development() -> None:
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if SECRET_NAME.match(name) and value:
            assert check_secret(name, value, False).refused, name
