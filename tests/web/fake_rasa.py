"""A small stand-in for Rasa that speaks its socket.io and triage wire formats (tests only).

Used for the hostile-output test (a bot message full of HTML and javascript: links, which the
real bot never sends) and, with WEGWIJZER_WEB_FAKE=1, to develop the widget and the staff page
while the real stack is not available. Behaves like Rasa 3.6's socketio channel with
``session_persistence: true`` (rasa/core/channels/socketio.py), including the rule that a
``user_uttered`` without ``session_id`` is dropped, plus the Origin allowlist of our connector.

Run: python tests/web/fake_rasa.py --port 5999
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import socketio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

STAFF_KEY = os.environ.get("TRIAGE_STAFF_KEY", "dev-staff-key-change-me")
ALLOWED_ORIGINS = os.environ.get(
    "WEBCHAT_ALLOWED_ORIGINS", "http://localhost:8080,http://127.0.0.1:8080"
).split(",")

HOSTILE_TEXT = (
    '<img src=x onerror="window.__pwned=1">Hallo <b>vet</b> '
    "[klik hier](javascript:window.__pwned=2) en https://www.digid.nl/."
)
MENU = [
    {"content_type": "text", "title": "DigiD aanvragen", "payload": "/digid_aanvragen"},
    {"content_type": "text", "title": "Toeslagen", "payload": "/toeslagen"},
    {"content_type": "text", "title": "Praat met een medewerker", "payload": "/medewerker"},
]


def reply_for(message: str, turn: int) -> list[dict[str, Any]]:
    """The fake bot's answer(s) to one message."""
    lowered = message.lower()
    if "hostile" in lowered:
        return [{"text": HOSTILE_TEXT}]
    if lowered.startswith("/digid_aanvragen") or "digid" in lowered:
        return [
            {"text": "Met DigiD logt u in bij de overheid. Kijk op https://www.digid.nl/."},
            {"text": f"Dit is beurt {turn} in dit gesprek."},
        ]
    if lowered.startswith("/"):
        return [{"text": f"U koos {message}. Dit is beurt {turn} in dit gesprek."}]
    return [{"text": "Waar gaat uw vraag over?", "quick_replies": MENU}]


def build_socket_app(http_app: Starlette) -> socketio.ASGIApp:
    """The socket.io part: session_request/session_confirm, user_uttered/bot_uttered."""
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[])
    turns: dict[str, int] = {}

    @sio.on("connect")
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        origin = environ.get("HTTP_ORIGIN")
        return origin is None or origin in ALLOWED_ORIGINS

    @sio.on("session_request")
    async def session_request(sid: str, data: dict[str, Any] | None) -> None:
        data = data or {}
        session_id = data.get("session_id") or os.urandom(16).hex()
        await sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: dict[str, Any]) -> None:
        session_id = (data or {}).get("session_id")
        if not session_id:
            return  # Rasa drops it with a warning
        turns[session_id] = turns.get(session_id, 0) + 1
        for message in reply_for(str(data.get("message", "")), turns[session_id]):
            await sio.emit("bot_uttered", message, room=session_id)

    return socketio.ASGIApp(sio, other_asgi_app=http_app, socketio_path="/socket.io")


TRIAGE_LOG: list[dict[str, Any]] = []


async def triage(request: Request) -> JSONResponse:
    """The triage endpoint's contract, with one fixed topic."""
    if request.headers.get("x-staff-key") != STAFF_KEY:
        return JSONResponse({"error": "forbidden"}, status_code=403)
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"error": "body must be JSON"}, status_code=400)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        return JSONResponse({"error": "text must be a non-empty string"}, status_code=400)
    gemeente = body.get("gemeente")
    TRIAGE_LOG.append({"text": text, "gemeente": gemeente})
    return JSONResponse(
        {
            "topic": "digid_aanvragen",
            "confidence": 0.82,
            "alternatives": [{"topic": "digid_problemen", "confidence": 0.11}],
            "answer": {
                "title": "DigiD aanvragen",
                "text": "Met DigiD logt u in bij de overheid.\nU vraagt DigiD aan op digid.nl.",
                "simple": "DigiD is uw sleutel voor de overheid.",
                "steps": ["Ga naar digid.nl.", "Vul uw gegevens in.", "Wacht op de brief."],
                "links": [
                    {
                        "label": "DigiD aanvragen",
                        "url": "https://www.digid.nl/aanvragen-en-activeren/digid-aanvragen",
                    }
                ],
            },
            "referrals": [
                {
                    "id": "informatiepunt",
                    "name": "Informatiepunt Digitale Overheid",
                    "kind": "local_service",
                    "gemeente": gemeente,
                    "address": "Teststraat 1, Kerkrade (testgegevens)",
                    "opening_hours": ["vrijdag 10:00–12:00"],
                    "phone": None,
                    "url": None,
                    "next_open": None,  # the times are not confirmed, so the contract gives no next time
                    "verify": True,
                    "unconfirmed": ["address", "opening_hours"],
                },
                {
                    "id": "digid_helpdesk",
                    "name": "DigiD Helpdesk",
                    "kind": "organisation",
                    "gemeente": None,
                    "address": None,
                    "opening_hours": "maandag tot en met vrijdag 08:00–22:00",
                    "phone": "0000 000 000 (testnummer)",
                    "url": "https://example.org/testhelpdesk",
                    "next_open": None,
                },
            ],
            "gemeente": gemeente,
        }
    )


async def last_triage(_: Request) -> JSONResponse:
    """What the triage endpoint received last (tests check that it was masked)."""
    return JSONResponse(TRIAGE_LOG[-1] if TRIAGE_LOG else {})


def build_app() -> socketio.ASGIApp:
    """Socket.io under /socket.io, the triage endpoint and a test hook."""
    http_app = Starlette(
        routes=[
            Route("/webhooks/triage/webhook", triage, methods=["POST"]),
            Route("/_fake/last_triage", last_triage, methods=["GET"]),
        ]
    )
    return build_socket_app(http_app)


def main() -> None:
    """Serve the fake on 127.0.0.1."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
