"""413 against the real API behind a stand-in for a size-limited proxy.

The API itself never answers 413: it took a 20 MB body when this was written (checked by hand
with a padded batch; the body-size limit lives in nginx, `client_max_body_size`). So the stand-in
is a tiny reverse proxy that refuses bodies over a limit with 413 and forwards the rest, unchanged,
to the real API process.
"""

from __future__ import annotations

import http.server
import json
import logging
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from actions import outbox
from actions.outbox_relay import Relay, RelaySettings, read_state
from tests.outbox.outbox_support import rows

pytestmark = pytest.mark.rasa_env

TOPIC, GEMEENTE = "digid_aanvragen", "voerendaal"


@dataclass
class SizeLimitedProxy:
    """Refuses bodies over ``limit`` bytes with 413; forwards the others to ``upstream``."""

    upstream: str
    limit: int = 10**9
    seen: list[tuple[int, int]] = field(default_factory=list)  # (events in the body, status)
    url: str = ""


@pytest.fixture
def proxy(api_process) -> Iterator[SizeLimitedProxy]:
    api_process.start()
    state = SizeLimitedProxy(upstream=api_process.url)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if len(body) > state.limit:
                code, answer = 413, b""
            else:
                request = urllib.request.Request(
                    state.upstream + self.path,
                    data=body,
                    headers={key: self.headers[key] for key in ("X-API-Key", "Content-Type")},
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        code, answer = response.status, response.read()
                except urllib.error.HTTPError as error:
                    code, answer = error.code, error.read()
            state.seen.append((len(json.loads(body)), code))
            self.send_response(code)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def _record(n: int) -> None:
    for _ in range(n):
        outbox.record_event("answered", topic=TOPIC, target=None, gemeente=GEMEENTE, channel="web")


def _body_size(outbox_file) -> int:
    payloads = [row["payload"] for row in rows(outbox_file, "state = 'pending'")]
    return sum(len(p) for p in payloads) + len(payloads) + 1  # "[" + commas + "]"


def _relay(outbox_file, proxy: SizeLimitedProxy, api_process) -> Relay:
    settings = RelaySettings(api_url=proxy.url, api_key=api_process.ingest_key, outbox=outbox_file, timeout=5.0)
    return Relay(settings)


def test_too_large_batch_is_split_in_halves_and_all_arrive(outbox_file, proxy, api_process):
    _record(8)
    proxy.limit = _body_size(outbox_file) - 1  # the batch of 8 is too large; 4 fit
    relay = _relay(outbox_file, proxy, api_process)

    assert relay.run_once() == 8
    relay.close()

    assert proxy.seen == [(8, 413), (4, 201), (4, 201)]
    assert {row["state"] for row in rows(outbox_file)} == {"delivered"}
    assert sorted(api_process.event_ids()) == sorted(row["event_id"] for row in rows(outbox_file))


def test_single_event_too_large_goes_to_dead_and_the_rest_arrives(outbox_file, proxy, api_process, caplog):
    _record(6)
    # one valid event made large with JSON whitespace (the API would take it; the proxy does not)
    big = rows(outbox_file)[2]
    connection = sqlite3.connect(str(outbox_file))
    connection.execute(
        "UPDATE outbox SET payload = ? WHERE seq = ?", (big["payload"][:-1] + " " * 5000 + "}", big["seq"])
    )
    connection.commit()
    connection.close()
    proxy.limit = 4000
    relay = _relay(outbox_file, proxy, api_process)

    with caplog.at_level(logging.INFO, logger="actions.outbox_relay"):
        delivered = relay.run_once()
        _record(2)
        delivered += relay.run_once()  # and the relay goes on delivering
    state = read_state(relay.db)
    relay.close()

    [dead] = rows(outbox_file, "state = 'dead'")
    assert dead["event_id"] == big["event_id"]
    assert dead["last_error"] == "413"
    assert delivered == 7
    assert len(rows(outbox_file, "state = 'delivered'")) == 7
    delivered_ids = sorted(row["event_id"] for row in rows(outbox_file, "state = 'delivered'"))
    assert sorted(api_process.event_ids()) == delivered_ids
    # halves until the big one is alone (events 0..2 | 3..5, 0 | 1..2, 1 | 2), then the next batch
    assert proxy.seen == [(6, 413), (3, 413), (1, 201), (2, 413), (1, 201), (1, 413), (3, 201), (2, 201)]
    assert f"API refused event {big['event_id']} (413, too large); dead-lettered" in caplog.text
    assert TOPIC not in caplog.text and GEMEENTE not in caplog.text
    assert state is not None and state.status == "ok"
