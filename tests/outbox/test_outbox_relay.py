"""actions/outbox_relay.py against a real API process: delivery, dead letters, retries."""

from __future__ import annotations

import datetime as dt
import http.server
import logging
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actions import outbox, outbox_relay
from actions.outbox_relay import (
    Blocked,
    Relay,
    RelaySettings,
    TransientError,
    backoff_delay,
    load_settings,
    read_state,
)
from knowledge.clock import today as clock_today
from tests.outbox.outbox_support import REPO_ROOT, rows

pytestmark = pytest.mark.rasa_env


LATE_DAY = clock_today() - dt.timedelta(days=30)


def _record(n: int, **overrides) -> None:
    for _ in range(n):
        values = {"topic": "email", "target": None, "gemeente": "kerkrade", "channel": "web"}
        values.update(overrides)
        outbox.record_event(values.pop("kind", "answered"), **values)


def _relay(outbox_file, url: str, key: str, **overrides) -> Relay:
    values = {"api_url": url, "api_key": key, "outbox": outbox_file, "timeout": 5.0}
    values.update(overrides)
    return Relay(RelaySettings(**values))


@pytest.fixture
def running_api(api_process):
    api_process.start()
    return api_process


def test_pending_rows_are_delivered_and_marked(outbox_file, running_api):
    _record(7)
    relay = _relay(outbox_file, running_api.url, running_api.ingest_key, batch_size=5)

    assert relay.run_once() == 5
    assert relay.run_once() == 2
    assert relay.run_once() == 0
    relay.close()

    assert {row["state"] for row in rows(outbox_file)} == {"delivered"}
    assert sorted(running_api.event_ids()) == sorted(r["event_id"] for r in rows(outbox_file))


def test_redelivery_is_harmless(outbox_file, running_api):
    _record(20)
    relay = _relay(outbox_file, running_api.url, running_api.ingest_key)
    relay.run_once()
    connection = sqlite3.connect(str(outbox_file))
    connection.execute("UPDATE outbox SET state = 'pending'")
    connection.commit()
    connection.close()

    assert relay.run_once() == 20
    relay.close()
    assert len(running_api.event_ids()) == 20


def test_refused_event_goes_to_dead_letter_and_the_rest_arrives(outbox_file, running_api, caplog):
    _record(3)
    _record(1, today=LATE_DAY)  # the outbox takes it; the API refuses a day more than 7 days old
    _record(3)
    relay = _relay(outbox_file, running_api.url, running_api.ingest_key)

    with caplog.at_level(logging.ERROR, logger="actions.outbox_relay"):
        delivered = relay.run_once()
    relay.close()

    [dead] = rows(outbox_file, "state = 'dead'")
    assert delivered == 6
    assert dead["last_error"] == "422"
    assert len(running_api.event_ids()) == 6
    assert dead["event_id"] in caplog.text
    assert LATE_DAY.isoformat() not in caplog.text


def test_wrong_key_keeps_rows_pending_and_blocks(outbox_file, running_api, caplog):
    _record(2)
    relay = _relay(outbox_file, running_api.url, "wrong-key")

    with caplog.at_level(logging.ERROR, logger="actions.outbox_relay"), pytest.raises(Blocked):
        relay.run_once()
    state = read_state(relay.db)
    relay.close()

    assert [row["state"] for row in rows(outbox_file)] == ["pending", "pending"]
    assert [row["attempts"] for row in rows(outbox_file)] == [1, 1]
    assert "refused the ingest key" in caplog.text
    assert state is not None and state.status == "blocked"
    assert state.reason is not None and state.reason.startswith("HTTP 401 from http://127.0.0.1:")
    assert "wrong-key" not in caplog.text + state.reason


def test_unreachable_api_keeps_rows_pending(outbox_file, api_process):
    _record(2)
    relay = _relay(outbox_file, api_process.url, "any")  # nothing listens on this port

    with pytest.raises(TransientError):
        relay.run_once()
    relay.close()

    assert [row["last_error"] for row in rows(outbox_file)] == ["ConnectionError"] * 2


class _Unavailable(http.server.BaseHTTPRequestHandler):
    """Answers like a reverse proxy whose upstream is down (the API itself never says 503)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxy_without_upstream() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_server_errors_are_retried_not_dead_lettered(outbox_file, proxy_without_upstream):
    _record(3)
    relay = _relay(outbox_file, proxy_without_upstream, "any")

    for _ in range(3):
        with pytest.raises(TransientError, match="503"):
            relay.run_once()
    relay.close()

    assert {row["state"] for row in rows(outbox_file)} == {"pending"}
    assert {row["attempts"] for row in rows(outbox_file)} == {3}


def test_old_rows_expire_and_delivered_rows_are_purged(outbox_file):
    _record(2)
    now = [0.0]
    relay = _relay(outbox_file, "http://127.0.0.1:9", "any", max_age_days=1)
    relay.clock = lambda: now[0]
    relay._set_state([rows(outbox_file)[0]["seq"]], "delivered")

    now[0] = time.time() + 10 * 86400
    assert relay.expire_old() == 1
    assert relay.purge_delivered() == 1
    relay.close()

    [left] = rows(outbox_file)
    assert (left["state"], left["last_error"]) == ("dead", "expired")


@given(st.integers(1, 60), st.floats(0.01, 5), st.floats(1, 120))
def test_backoff_grows_with_jitter_and_stays_capped(failures, base, cap):
    delay = backoff_delay(failures, base, cap, random.Random(failures))
    ceiling = min(cap, base * 2 ** (failures - 1))
    assert ceiling / 2 <= delay <= ceiling


def test_relay_refuses_to_start_without_ingest_key():
    with pytest.raises(SystemExit, match="API_INGEST_KEY"):
        load_settings({"API_URL": "http://127.0.0.1:8000"})


def test_relay_settings_from_environment(outbox_file):
    key = secrets.token_urlsafe(32)  # "k" before the secret policy, which refuses it outside development
    settings = load_settings({"API_INGEST_KEY": key, "API_URL": "http://api:8000/", "RELAY_BATCH_SIZE": "9000"})
    assert settings.api_url == "http://api:8000"
    assert settings.batch_size == 500
    assert settings.outbox == outbox_file
    assert settings.blocked_probe_interval == 300
    probing = load_settings({"API_INGEST_KEY": key, "RELAY_BLOCKED_PROBE_INTERVAL": "5"})
    assert probing.blocked_probe_interval == 5


# --- one secret policy (shared/secret_policy.py) --------------------------------------------------------

MAKEFILE_INGEST_KEY = "dev-ingest-key-change-me"  # the Makefile's development default


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (MAKEFILE_INGEST_KEY, "placeholder"),
        ("CHANGEME-ingest-0123", "placeholder"),
        ("Zq9k-7Wp", "shorter than 16"),
    ],
)
@pytest.mark.parametrize("app_env", [None, "production", "test"])
def test_relay_refuses_a_placeholder_or_short_key_outside_development(key, reason, app_env):
    env = {"API_INGEST_KEY": key, **({"APP_ENV": app_env} if app_env else {})}
    with pytest.raises(SystemExit, match=rf"secrets: API_INGEST_KEY refused \({reason}") as info:
        load_settings(env)
    assert key not in str(info.value)


def test_relay_accepts_the_makefile_key_in_development(outbox_file):
    env = {"API_INGEST_KEY": MAKEFILE_INGEST_KEY, "APP_ENV": "development"}
    assert load_settings(env).api_key == MAKEFILE_INGEST_KEY
    check = outbox_relay.ingest_key_check(env)
    assert check.describe() == "API_INGEST_KEY tolerated (placeholder, development)"


def _relay_main(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("API_INGEST_KEY", "APP_ENV")}
    clean.update({"PYTHONPATH": str(REPO_ROOT), "OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"), **env})
    clean["API_URL"] = "http://127.0.0.1:9"  # never reached: the outbox is empty
    return subprocess.run(
        [sys.executable, "-m", "actions.outbox_relay", "--drain"],
        env=clean, cwd=str(REPO_ROOT), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_relay_start_up_line_names_the_key_and_never_shows_it(tmp_path):
    key = secrets.token_urlsafe(32)
    started = _relay_main(tmp_path, API_INGEST_KEY=key, APP_ENV="production")
    assert started.returncode == 0, started.stderr
    assert "secrets: API_INGEST_KEY ok" in started.stderr
    refused = _relay_main(tmp_path, API_INGEST_KEY=MAKEFILE_INGEST_KEY, APP_ENV="production")
    assert refused.returncode != 0
    assert "secrets: API_INGEST_KEY refused (placeholder)" in refused.stderr
    for output in (started.stdout + started.stderr, refused.stdout + refused.stderr):
        assert key[:6] not in output and "change-me" not in output
