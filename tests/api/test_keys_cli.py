"""The key CLI as a real process: create, list (never showing a key), revoke."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.api_support import event, make_settings

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.app_env


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "API_DATABASE_URL": database_url,
        "API_AUTO_MIGRATE": "true",
        "APP_ENV": "test",
        "PYTHONPATH": str(REPO_ROOT),
    }
    for name in ("API_INGEST_KEY", "API_READ_KEY"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=60,
        check=False,
    )


def test_create_list_revoke(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"

    created = _cli(url, "keys", "create", "--scope", "read", "--name", "dashboard")
    assert created.returncode == 0, created.stderr
    plaintext = created.stdout.strip().splitlines()[-1]
    assert plaintext.startswith("wgw_")

    listed = _cli(url, "keys", "list")
    assert "dashboard" in listed.stdout and "read" in listed.stdout
    assert plaintext not in listed.stdout

    app = create_app(make_settings(url, ingest_key=None, read_key=None))
    with TestClient(app) as client:
        before = client.get("/api/v1/stats", headers={"X-API-Key": plaintext})
        refused = client.post("/api/v1/events", json=event(), headers={"X-API-Key": plaintext})
        revoked = _cli(url, "keys", "revoke", "1")
        app.state.ctx.keyring.invalidate()
        after = client.get("/api/v1/stats", headers={"X-API-Key": plaintext})
    app.state.ctx.engine.dispose()

    assert before.status_code == 200
    assert refused.status_code == 403
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert after.status_code == 401


def test_bad_scope_and_unknown_id_fail_clearly(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    bad_scope = _cli(url, "keys", "create", "--scope", "admin", "--name", "x")
    unknown = _cli(url, "keys", "revoke", "99")
    assert bad_scope.returncode != 0 and "invalid choice" in bad_scope.stderr
    assert unknown.returncode == 1 and "No key with id 99" in unknown.stderr


def _keys_list_in_production(read_key: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`api keys list` with APP_ENV=production and this read key: the start-up check must judge the key."""
    env = {**os.environ, "APP_ENV": "production", "API_READ_KEY": read_key, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "api", "keys", "list"],
        capture_output=True, text=True, env=env, cwd=str(cwd), timeout=60, check=False,
    )  # fmt: skip


def test_placeholder_key_outside_development_stops_the_cli(tmp_path):
    result = _keys_list_in_production("x-change-me", tmp_path)
    assert result.returncode == 2
    assert "placeholder" in result.stderr


def test_events_of_a_leaked_key_are_listed_and_purged(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    created = _cli(url, "keys", "create", "--scope", "ingest", "--name", "leaked")
    leaked = created.stdout.strip().splitlines()[-1]
    app = create_app(make_settings(url))
    with TestClient(app) as client:
        client.post(
            "/api/v1/events", json=[event(), event()], headers={"X-API-Key": "test-ingest-key-0123456789abcdef"}
        )
        client.post("/api/v1/events", json=[event() for _ in range(3)], headers={"X-API-Key": leaked})
    app.state.ctx.engine.dispose()

    listed = _cli(url, "events", "by-key")
    dry = _cli(url, "events", "purge", "db:1")
    purged = _cli(url, "events", "purge", "db:1", "--yes")
    after = _cli(url, "events", "by-key")

    assert listed.returncode == 0 and "db:1" in listed.stdout and "env:ingest:0" in listed.stdout
    assert dry.returncode == 0 and "3 events" in dry.stdout and "--yes" in dry.stdout
    assert purged.returncode == 0 and "Deleted 3 events" in purged.stdout
    assert "db:1" not in after.stdout and "env:ingest:0" in after.stdout


def test_refused_key_is_named_without_any_part_of_its_value(tmp_path):
    # pydantic's error text carried the tail of the input ("...ange-me-..."); the API hides inputs in errors.
    value = "tail-" + "q7Rw" * 3 + "-changeme-9ZpL"
    result = _keys_list_in_production(value, tmp_path)
    assert result.returncode == 2
    assert "API_READ_KEY refused (placeholder)" in result.stderr
    for start in range(len(value) - 5):
        assert value[start : start + 6] not in result.stderr


def test_serve_says_which_secrets_it_has_by_name(tmp_path):
    key = secrets.token_urlsafe(32)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("API_")},
        "APP_ENV": "test",
        "API_INGEST_KEY": key,
        "API_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "API_AUTO_MIGRATE": "true",
        "API_WARM_RELEASES": "false",
        "PYTHONPATH": str(REPO_ROOT),
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port)],
        env=env, cwd=str(tmp_path), stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert line == (
        "api: secrets: API_INGEST_KEY ok; API_READ_KEY missing; API_CONTENT_KEY missing; "
        "API_SESSION_SECRET missing\n"
    )
