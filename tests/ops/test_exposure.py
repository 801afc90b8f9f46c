"""Each exposure protection of docs/threat-model.md, proven against the real running processes.

Rasa, the action server and the API are started from their Procfile.dev command lines with the configured
defaults (the Makefile's, or .env's when set), so the test sees what `make run` starts: Rasa and the action
server must listen on loopback only, the web-chat socket must refuse a foreign Origin, the staff triage
endpoint must refuse a missing or wrong key, and the statistics must refuse anything but the read key.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import re
import socket
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.ci_support import require_module

socketio = require_module("socketio", "python-socketio is needed (app environment)")
# python-engineio's websocket client needs aiohttp >= 3.10; the Rasa environment pins 3.9.
require_module("aiohttp", "APP ENVIRONMENT NEEDED: run with .venv-app/bin/python", minversion="3.10")

from scripts import stack as stack_script  # noqa: E402
from tests.ops.ops_support import ROOT, require_trained_model  # noqa: E402

ALLOWED_ORIGIN = "https://www.bibliotheek-voorbeeld.nl"
STAFF_KEY = "exposure-test-staff-key"
SIOCGIFADDR = 0x8915


def configured(name: str) -> str:
    """The value `make run` would use: the environment under make, else the Makefile's ``?=`` default."""
    if name in os.environ:
        return os.environ[name]
    match = re.search(rf"^{name} \?= (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"{name} has no default in the Makefile"
    return match.group(1).strip()


def non_loopback_ipv4() -> list[str]:
    """This machine's IPv4 addresses other than 127.0.0.0/8."""
    found = []
    for _, interface in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                packed = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack("256s", interface.encode()[:15]))
            except OSError:
                continue
        address = socket.inet_ntoa(packed[20:24])
        if not address.startswith("127."):
            found.append(address)
    return found


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket in LISTEN state on ``port`` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address_hex, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(address_hex)
            # /proc prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found


def is_loopback(address: str) -> bool:
    return address.startswith("127.") or address in {"::1", "::ffff:127.0.0.1"}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    module = stack_script
    require_trained_model()
    running = module.make_stack(
        extra_env={
            "WEBCHAT_ALLOWED_ORIGINS": ALLOWED_ORIGIN,
            "TRIAGE_STAFF_KEY": STAFF_KEY,
            "RASA_HOST": configured("RASA_HOST"),
            "ACTION_SERVER_HOST": configured("ACTION_SERVER_HOST"),
            "API_HOST": configured("API_HOST"),
            "API_AUTO_MIGRATE": "true",
        }
    )
    env = running.env
    health = {
        "actions": env["ACTION_SERVER_URL"].rsplit("/webhook", 1)[0] + "/health",
        "rasa": env["RASA_URL"] + "/webhooks/rest/",
        "api": env["API_URL"] + "/healthz",
    }
    try:
        for name in health:  # start all three, then wait: they load in parallel
            running.start_process(name, module.procfile_command(name, env))
        for name, url in health.items():
            running.startup_seconds[name] = module.wait_http(url, module.START_TIMEOUT, running.processes[name])
    except Exception:
        logs = "\n".join(f"--- {name}\n{running.log(name)}" for name in health)
        running.stop_all()
        pytest.fail(f"the stack did not start:\n{logs}")
    yield running
    running.stop_all()


def ports(stack: Any) -> dict[str, int]:
    return {"rasa": int(stack.env["RASA_PORT"]), "actions": int(stack.env["ACTION_SERVER_PORT"])}


# --- Rasa and the action server listen on loopback only -------------------------------------------


@pytest.mark.parametrize("name", ["rasa", "actions"])
def test_listens_on_loopback_only(stack: Any, name: str) -> None:
    port = ports(stack)[name]

    addresses = listening_addresses(port)

    assert addresses, f"{name} is not listening on port {port}"
    assert all(is_loopback(a) for a in addresses), f"{name} listens on {sorted(addresses)}"
    assert reachable("127.0.0.1", port)


@pytest.mark.parametrize("name", ["rasa", "actions"])
def test_not_reachable_on_a_non_loopback_address(stack: Any, name: str) -> None:
    addresses = non_loopback_ipv4()
    if not addresses:
        pytest.skip("NO NON-LOOPBACK ADDRESS on this machine; the listen-address test still applies")
    port = ports(stack)[name]
    # control: a socket bound to every interface IS reachable on these addresses, so a refusal means something
    with socket.socket() as exposed:
        exposed.bind(("0.0.0.0", 0))
        exposed.listen()
        control_port = exposed.getsockname()[1]
        assert all(reachable(a, control_port) for a in addresses)

    assert not any(reachable(a, port) for a in addresses), f"{name} answers on {addresses}:{port}"


def test_rasa_http_api_is_not_enabled(stack: Any) -> None:
    # Without --enable-api Rasa has no /conversations routes that could read or write any tracker.
    reply = requests.get(f"{stack.rasa_url}/conversations/someone/tracker", timeout=10)
    assert reply.status_code == 404


# --- web-chat socket: Origin allow-list -----------------------------------------------------------


async def _connect(url: str, origin: str | None, transport: str) -> Any:
    client = socketio.AsyncClient(reconnection=False)
    headers = {"Origin": origin} if origin else {}
    try:
        await client.connect(
            url, headers=headers, transports=[transport], socketio_path="/socket.io", wait_timeout=10
        )
    except socketio.exceptions.ConnectionError:
        return None
    return client


async def _chat_once(client: Any) -> dict[str, Any]:
    replies: asyncio.Queue[Any] = asyncio.Queue()
    client.on("session_confirm", lambda data: replies.put_nowait(("session", data)))
    client.on("bot_uttered", lambda data: replies.put_nowait(("bot", data)))
    await client.emit("session_request", {"session_id": None})
    kind, session = await asyncio.wait_for(replies.get(), 30)
    assert kind == "session"
    session_id = session["session_id"] if isinstance(session, dict) else session
    await client.emit("user_uttered", {"message": "hallo", "session_id": session_id})
    kind, message = await asyncio.wait_for(replies.get(), 120)
    assert kind == "bot"
    return dict(message)


async def test_socket_accepts_the_allowed_origin_and_answers(stack: Any) -> None:
    # The widget uses the websocket transport only (bot/webchat/src).
    client = await _connect(stack.rasa_url, ALLOWED_ORIGIN, "websocket")
    assert client is not None, "the allowed origin was refused"
    try:
        message = await _chat_once(client)
    finally:
        await client.disconnect()
    assert message.get("text")


@pytest.mark.parametrize(
    ("origin", "transport"),
    [
        ("https://evil.example", "websocket"),
        ("https://www.bibliotheek-voorbeeld.nl.evil.example", "websocket"),
        (None, "websocket"),
    ],
)
async def test_socket_refuses_other_origins(stack: Any, transport: str, origin: str | None) -> None:
    client = await _connect(stack.rasa_url, origin, transport)
    if client is not None:
        with contextlib.suppress(Exception):
            await client.disconnect()
    assert client is None, f"origin {origin!r} could open a socket over {transport}"


def polling_namespace_reply(url: str, origin: str | None) -> str:
    """Open an engine.io long-polling session by hand and ask to join the default namespace.

    Returns the first packet of the answer: ``40…`` (joined) or ``44…`` (refused). Done with plain HTTP because
    the socket.io client needs ~30 s to give up on a refused polling session.
    """
    headers = {"Origin": origin} if origin else {}
    base = f"{url}/socket.io/?EIO=4&transport=polling"
    with requests.Session() as http:
        opened = http.get(base, headers=headers, timeout=10)
        assert opened.status_code == 200 and opened.text.startswith("0"), opened.text
        sid = json.loads(opened.text[1:])["sid"]
        sent = http.post(
            f"{base}&sid={sid}",
            data="40",
            headers={**headers, "Content-Type": "text/plain;charset=UTF-8"},
            timeout=10,
        )
        assert sent.status_code == 200, sent.text
        reply = http.get(f"{base}&sid={sid}", headers=headers, timeout=30)
    return reply.text.split("\x1e")[0]


@pytest.mark.parametrize(
    ("origin", "packet"), [(ALLOWED_ORIGIN, "40"), ("https://evil.example", "44"), (None, "44")]
)
def test_socket_long_polling_applies_the_same_allow_list(stack: Any, origin: str | None, packet: str) -> None:
    assert polling_namespace_reply(stack.rasa_url, origin)[:2] == packet


# --- staff triage endpoint: X-Staff-Key ------------------------------------------------------------

TRIAGE_BODY = {"text": "ik ben het wachtwoord van mijn digid vergeten", "gemeente": None}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Staff-Key": ""},
        {"X-Staff-Key": "wrong"},
        {"X-Staff-Key": STAFF_KEY[:-1]},
        {"X-API-Key": STAFF_KEY},
    ],
)
def test_triage_refuses_a_missing_or_wrong_key(stack: Any, headers: dict[str, str]) -> None:
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/triage/webhook", json=TRIAGE_BODY, headers=headers, timeout=30
    )

    assert reply.status_code == 401
    assert "topic" not in reply.json()


def test_triage_answers_with_the_staff_key(stack: Any) -> None:
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/triage/webhook",
        json=TRIAGE_BODY,
        headers={"X-Staff-Key": STAFF_KEY},
        timeout=30,
    )

    assert reply.status_code == 200
    assert reply.json()["topic"]


# --- statistics: read key only ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_variable", "status"),
    [(None, 401), ("wrong", 401), ("API_INGEST_KEY", 403), ("API_READ_KEY", 200)],
)
def test_statistics_need_the_read_key(stack: Any, key_variable: str | None, status: int) -> None:
    headers = {}
    if key_variable:
        headers["X-API-Key"] = stack.env.get(key_variable, key_variable)

    reply = requests.get(f"{stack.env['API_URL']}/api/v1/stats", headers=headers, timeout=30)

    assert reply.status_code == status, reply.text
