"""401, 403 and 404 block the relay, with real API and relay processes: the events stay pending,
one ERROR line says what to fix, `status` exits 1, and delivery resumes after the fix (by the
relay's probe for a fix on the API side, by a restart for a fix in the relay's own settings)."""

from __future__ import annotations

import re
import time

import pytest

from actions import outbox
from tests.outbox.outbox_support import log_lines, relay_command, rows, wait_until

pytestmark = pytest.mark.rasa_env

TOPIC, GEMEENTE = "digid_aanvragen", "voerendaal"  # must never show up in a log or a command's output


def _record(n: int) -> None:
    for _ in range(n):
        outbox.record_event("answered", topic=TOPIC, target=None, gemeente=GEMEENTE, channel="web")


def _attempted(outbox_file, at_least: int) -> bool:
    found = rows(outbox_file)
    return bool(found) and all(row["attempts"] >= at_least for row in found)


def _assert_blocked(relay_process, outbox_file, status_code: int, fix: str, pending: int) -> None:
    """Nothing delivered or lost, one ERROR line with status and fix, and `status` exits 1."""
    assert [row["state"] for row in rows(outbox_file)] == ["pending"] * pending
    [error] = log_lines(relay_process.log, "ERROR")
    assert f"delivery stopped: HTTP {status_code}" in error
    assert fix in error
    assert f"{pending} events wait in the outbox" in error
    status = relay_command(relay_process.env, "status")
    assert status.returncode == 1, status.stdout + status.stderr
    assert "relay: blocked since" in status.stdout
    assert f"reason: HTTP {status_code} from " in status.stdout
    assert f"{pending} pending" in status.stdout
    for text in (relay_process.log.read_text(), status.stdout):
        assert TOPIC not in text and GEMEENTE not in text


def test_wrong_key_stops_sending_instead_of_retrying(outbox_file, api_process, relay_process):
    # the default probe interval (300 s): after the first 401 nothing more is sent
    api_process.start()
    _record(3)
    relay_process.env["API_INGEST_KEY"] = "ingest-wrong-key"
    relay_process.env.pop("RELAY_BLOCKED_PROBE_INTERVAL", None)
    relay_process.start()

    assert wait_until(lambda: _attempted(outbox_file, 1), timeout=20), relay_process.log.read_text()
    time.sleep(3)  # backoff (0.2 s .. 1 s) would have retried several times by now

    assert {row["attempts"] for row in rows(outbox_file)} == {1}
    assert {row["last_error"] for row in rows(outbox_file)} == {"401"}
    _assert_blocked(relay_process, outbox_file, 401, "set API_INGEST_KEY", pending=3)
    assert "Probing again every 300 s" in log_lines(relay_process.log, "ERROR")[0]
    assert api_process.event_ids() == []


def test_key_fixed_on_the_api_resumes_delivery_at_the_next_probe(outbox_file, api_process, relay_process):
    # the API was restarted with another ingest key than the relay's
    relay_key = api_process.ingest_key
    api_process.ingest_key = "ingest-rotated-by-mistake"
    api_process.start()
    _record(3)
    relay_process.env["RELAY_BLOCKED_PROBE_INTERVAL"] = "0.5"
    relay_process.start()
    assert wait_until(lambda: _attempted(outbox_file, 3), timeout=20), relay_process.log.read_text()
    _assert_blocked(relay_process, outbox_file, 401, "API_INGEST_KEY", pending=3)  # one ERROR for 3 probes

    api_process.stop()
    api_process.ingest_key = relay_key
    api_process.start()

    assert wait_until(lambda: len(api_process.event_ids()) == 3, timeout=20), relay_process.log.read_text()
    assert wait_until(lambda: {row["state"] for row in rows(outbox_file)} == {"delivered"}, timeout=10)
    status = relay_command(relay_process.env, "status")
    assert status.returncode == 0, status.stdout
    assert "relay: ok since" in status.stdout
    assert "reason:" not in status.stdout
    assert len(log_lines(relay_process.log, "ERROR")) == 1
    assert "delivery resumed" in relay_process.log.read_text()
    assert relay_process.stop() == 0


def test_revoked_key_blocks_and_the_events_after_it_wait(outbox_file, api_process, relay_process):
    # "401 after a key change": a database key that worked is revoked while the relay runs
    api_process.start()
    created = api_process.cli("keys", "create", "--scope", "ingest", "--name", "relay").stdout
    key_id, key = re.search(r"Created key (\d+)", created).group(1), created.strip().splitlines()[-1]
    relay_process.env["API_INGEST_KEY"] = key
    relay_process.env["RELAY_BLOCKED_PROBE_INTERVAL"] = "0.5"
    relay_process.start()
    _record(2)
    assert wait_until(lambda: len(api_process.event_ids()) == 2, timeout=20), relay_process.log.read_text()

    api_process.cli("keys", "revoke", key_id)
    time.sleep(2.5)  # the API caches database keys for 2 s
    _record(4)

    assert wait_until(lambda: len(rows(outbox_file, "last_error = '401'")) == 4, timeout=20)
    assert len(api_process.event_ids()) == 2
    assert len(rows(outbox_file, "state = 'delivered'")) == 2
    assert len(rows(outbox_file, "state = 'pending'")) == 4
    [error] = log_lines(relay_process.log, "ERROR")
    assert "delivery stopped: HTTP 401" in error
    status = relay_command(relay_process.env, "status")
    assert status.returncode == 1
    assert "2 delivered" in status.stdout


def test_read_scope_key_is_blocked_with_403(outbox_file, api_process, relay_process):
    api_process.start()
    created = api_process.cli("keys", "create", "--scope", "read", "--name", "dashboard").stdout
    _record(2)
    relay_process.env["API_INGEST_KEY"] = created.strip().splitlines()[-1]
    relay_process.env["RELAY_BLOCKED_PROBE_INTERVAL"] = "0.5"
    relay_process.start()

    assert wait_until(lambda: _attempted(outbox_file, 2), timeout=20), relay_process.log.read_text()

    assert {row["last_error"] for row in rows(outbox_file)} == {"403"}
    _assert_blocked(relay_process, outbox_file, 403, "lacks the ingest scope", pending=2)


def test_wrong_path_prefix_is_blocked_with_404_and_a_restart_with_the_right_url_resumes(
    outbox_file, api_process, relay_process
):
    api_process.start()
    _record(2)
    relay_process.env["API_URL"] = api_process.url + "/statistiek"
    relay_process.env["RELAY_BLOCKED_PROBE_INTERVAL"] = "0.5"
    relay_process.start()
    assert wait_until(lambda: _attempted(outbox_file, 2), timeout=20), relay_process.log.read_text()
    _assert_blocked(relay_process, outbox_file, 404, "check API_URL", pending=2)
    assert "/statistiek/api/v1/events" in log_lines(relay_process.log, "ERROR")[0]

    assert relay_process.stop() == 0
    relay_process.env["API_URL"] = api_process.url
    relay_process.start()

    assert wait_until(lambda: len(api_process.event_ids()) == 2, timeout=20), relay_process.log.read_text()
    assert wait_until(lambda: relay_command(relay_process.env, "status").returncode == 0, timeout=10)
    assert "delivery resumed" in relay_process.log.read_text()


def test_drain_ends_with_exit_code_1_when_blocked(outbox_file, api_process, relay_process):
    api_process.start()
    _record(1)

    done = relay_command({**relay_process.env, "API_INGEST_KEY": "ingest-wrong-key"}, "--drain")

    assert done.returncode == 1, done.stderr
    assert "delivery stopped: HTTP 401" in done.stderr
    assert [row["state"] for row in rows(outbox_file)] == ["pending"]
