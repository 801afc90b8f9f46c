"""A recording stand-in for the reach API's ingest endpoint (tests only, stdlib).

Used by the staff-page tests when the test stack does not publish the real API. It checks the
request the way the contract says (X-API-Key, exactly the event fields, channel "staff") and
keeps what it accepted, so a test can assert on the event the click produced.

Run: python tests/web/recording_api.py --port 5998 --key KEY
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENT_FIELDS = {"event_id", "day", "kind", "topic", "target", "gemeente", "channel", "helpful"}


def make_handler(key: str, accepted: list[dict[str, object]]) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to an ingest key and a list that collects accepted events."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path != "/api/v1/events":
                self._reply(404, {"error": "not found"})
                return
            if self.headers.get("X-API-Key") != key:
                self._reply(401, {"error": "bad key"})
                return
            length = int(self.headers.get("Content-Length", "0"))
            try:
                event = json.loads(self.rfile.read(length))
            except ValueError:
                self._reply(422, {"error": "not JSON"})
                return
            if not isinstance(event, dict) or set(event) != EVENT_FIELDS:
                self._reply(422, {"error": "fields must be exactly " + ", ".join(sorted(EVENT_FIELDS))})
                return
            duplicate = any(e["event_id"] == event["event_id"] for e in accepted)
            if not duplicate:
                accepted.append(event)
            self._reply(200 if duplicate else 201, {"status": "ok"})

        def do_GET(self) -> None:
            if self.path == "/_recorded":
                self._reply(200, accepted)
            else:
                self._reply(404, {"error": "not found"})

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def main() -> None:
    """Serve on 127.0.0.1 until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    accepted: list[dict[str, object]] = []
    ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.key, accepted)).serve_forever()


if __name__ == "__main__":
    main()
