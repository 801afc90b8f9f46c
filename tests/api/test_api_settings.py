"""Settings: placeholder keys, default database location, auto-migration."""

from __future__ import annotations

import logging
import secrets

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from api.paths import DEFAULT_DATABASE_URL, REPO_ROOT
from api.settings import ApiSettings, sha256_hex
from tests.api.api_support import READ_KEY, make_settings

pytestmark = pytest.mark.app_env


def test_placeholder_key_is_refused_outside_development():
    with pytest.raises(ValidationError, match="placeholder"):
        ApiSettings(_env_file=None, app_env="production", ingest_key="dev-ingest-key-change-me")


def test_placeholder_key_is_allowed_in_development():
    settings = ApiSettings(_env_file=None, app_env="development", read_key="dev-read-key-change-me")
    assert settings.env_key_hashes()["read"] == [sha256_hex("dev-read-key-change-me")]


def test_app_env_is_read_without_prefix(monkeypatch):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("API_INGEST_KEY", "dev-ingest-key-change-me")
    assert ApiSettings(_env_file=None).app_env == "development"


def test_default_database_is_under_the_repository_var_directory():
    assert f"sqlite:///{REPO_ROOT / 'var' / 'api.sqlite3'}" == DEFAULT_DATABASE_URL
    settings = ApiSettings(_env_file=None, app_env="test")
    assert settings.should_auto_migrate is (settings.database_url == DEFAULT_DATABASE_URL)


def test_relative_sqlite_path_counts_from_the_repository_root():
    settings = ApiSettings(_env_file=None, app_env="test", database_url="sqlite:///var/api.sqlite3")
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.should_auto_migrate


def test_hashed_keys_from_environment_are_accepted():
    digest = sha256_hex("a-real-key")
    settings = ApiSettings(_env_file=None, app_env="test", ingest_key_sha256=digest.upper())
    assert settings.env_key_hashes()["ingest"] == [digest]
    with pytest.raises(ValidationError, match="SHA-256"):
        ApiSettings(_env_file=None, app_env="test", read_key_sha256="abc")


def test_fresh_sqlite_database_is_migrated_at_start_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'fresh.sqlite3'}"
    app = create_app(make_settings(url, auto_migrate=True))
    with TestClient(app) as client:
        response = client.get("/api/v1/stats", headers={"X-API-Key": READ_KEY})
    app.state.ctx.engine.dispose()
    assert response.status_code == 200


# --- one secret policy (shared/secret_policy.py) --------------------------------------------------------

MAKEFILE_DEV_KEYS = {"ingest_key": "dev-ingest-key-change-me", "read_key": "dev-read-key-change-me"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("changethis-for-production", "placeholder"),
        ("CHANGEME_CHANGEME", "placeholder"),
        ("your-key-goes-here-please", "placeholder"),
        ("aaaaaaaaaaaaaaaaaaaaaaaa", "placeholder"),
        ("k3Y9-short", "shorter than 16 characters"),
    ],
)
def test_placeholder_or_short_keys_are_refused_outside_development(value, reason):
    # Before, only the substring "change-me" was refused, so all of these reached production.
    for app_env in ("production", "test"):
        with pytest.raises(ValidationError, match=rf"API_READ_KEY refused \({reason}\)"):
            ApiSettings(_env_file=None, app_env=app_env, read_key=value)


def test_the_refusal_names_every_secret_and_shows_no_value():
    session = "session-" + "x" * 12
    with pytest.raises(ValidationError) as info:
        ApiSettings(_env_file=None, app_env="production", session_secret=session, **MAKEFILE_DEV_KEYS)
    message = str(info.value)
    for name in ("API_INGEST_KEY", "API_READ_KEY", "API_SESSION_SECRET"):
        assert f"{name} refused" in message
    for value in (session, *MAKEFILE_DEV_KEYS.values()):
        assert value[-8:] not in message and value[:8] not in message


def test_secrets_line_names_each_secret():
    ingest = secrets.token_urlsafe(32)
    settings = ApiSettings(_env_file=None, app_env="production", ingest_key=ingest)
    line = "secrets: API_INGEST_KEY ok; API_READ_KEY missing; API_SESSION_SECRET missing"
    assert settings.secrets_line() == line
    assert ingest[:4] not in settings.secrets_line()


def test_development_starts_with_the_makefile_keys_and_says_so(caplog, tmp_path):
    url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    settings = make_settings(url, app_env="development", **MAKEFILE_DEV_KEYS)
    with caplog.at_level(logging.INFO, logger="api.main"):
        app = create_app(settings)
    app.state.ctx.engine.dispose()
    assert (
        "secrets: API_INGEST_KEY tolerated (placeholder, development); "
        "API_READ_KEY tolerated (placeholder, development); API_SESSION_SECRET ok"
    ) in caplog.messages
