"""Fixtures for the browser tests: the real Rasa stack, our two web servers, headless Chromium.

``rasa_server_url`` is the real Rasa: WEGWIJZER_RASA_URL when set, otherwise the stack that
``make -s serve-test-stack`` starts (it prints its URLs as JSON on its first stdout line). Only
with WEGWIJZER_WEB_FAKE=1 does it fall back to tests/web/fake_rasa.py (local development).

The demo page is served by the real ``python -m bot.webchat`` on a free port (``make run`` may hold
8080). The connector only accepts Origins in WEBCHAT_ALLOWED_ORIGINS, so the stack this file starts
gets that port's origin added on its make command line. Against an already running Rasa
(WEGWIJZER_RASA_URL) the demo page uses WEGWIJZER_WEBCHAT_PORT (default 8080), whose origin is in
the connector's default allowlist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.ci_support import unavailable
from tests.web.web_support import (
    REPO,
    DemoServer,
    Stack,
    StaffServer,
    free_port,
    read_stack_info,
    start,
    stop,
    wait_for_http,
)

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("WEGWIJZER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STACK_START_TIMEOUT_S = float(os.environ.get("WEGWIJZER_STACK_TIMEOUT", "1800"))
STAFF_TEST_KEY = "test-staff-page-key-0123456789"
INGEST_TEST_KEY = "test-ingest-key-0123456789"


def _url_info(info: dict[str, Any], key: str) -> str | None:
    value = info.get(key)
    return str(value).rstrip("/") if value else None


def _make_target_exists(target: str) -> bool:
    result = subprocess.run(["make", "-n", "-s", target], cwd=REPO, capture_output=True, text=True, check=False)
    return result.returncode == 0


def _allowed_origins(webchat_port: int) -> str:
    return f"http://127.0.0.1:{webchat_port},http://localhost:8080,http://127.0.0.1:8080"


def _start_fake(port: int, webchat_port: int) -> subprocess.Popen[Any]:
    process = start(
        [sys.executable, str(HERE / "fake_rasa.py"), "--port", str(port)],
        env={"WEBCHAT_ALLOWED_ORIGINS": _allowed_origins(webchat_port)},
    )
    wait_for_http(f"http://127.0.0.1:{port}/_fake/last_triage", process)
    return process


@pytest.fixture(scope="session")
def webchat_port() -> int:
    """The port the demo page is served on (its origin must be allowed by the connector)."""
    if os.environ.get("WEGWIJZER_RASA_URL"):
        return int(os.environ.get("WEGWIJZER_WEBCHAT_PORT", "8080"))
    return free_port()


@pytest.fixture(scope="session")
def stack(webchat_port: int) -> Iterator[Stack]:
    """The bot stack under test (see the module docstring for how it is chosen)."""
    staff_key = os.environ.get("TRIAGE_STAFF_KEY", "dev-staff-key-change-me")
    if os.environ.get("WEGWIJZER_RASA_URL"):
        yield Stack(
            rasa_url=os.environ["WEGWIJZER_RASA_URL"].rstrip("/"),
            api_url=os.environ.get("WEGWIJZER_API_URL"),
            api_ingest_key=os.environ.get("API_INGEST_KEY"),
            triage_staff_key=staff_key,
            is_fake=False,
        )
        return
    if os.environ.get("WEGWIJZER_WEB_FAKE") == "1":
        port = free_port()
        process = _start_fake(port, webchat_port)
        try:
            yield Stack(f"http://127.0.0.1:{port}", None, None, staff_key, is_fake=True)
        finally:
            stop(process)
        return
    if not _make_target_exists("serve-test-stack"):
        pytest.fail(
            "No bot stack: set WEGWIJZER_RASA_URL to a running Rasa, or provide the make target "
            "serve-test-stack; WEGWIJZER_WEB_FAKE=1 uses the local fake for development only."
        )
    process = start(
        ["make", "-s", "serve-test-stack", f"WEBCHAT_ALLOWED_ORIGINS={_allowed_origins(webchat_port)}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    info = read_stack_info(process, STACK_START_TIMEOUT_S)
    if info is None:
        stop(process)
        pytest.fail(f"make serve-test-stack printed no URL line within {STACK_START_TIMEOUT_S:.0f} s")
    rasa_url = _url_info(info, "rasa_url")
    if rasa_url is None:
        stop(process)
        pytest.fail(f"make serve-test-stack printed no rasa_url: keys {sorted(info)}")
    try:
        yield Stack(
            rasa_url=rasa_url,
            api_url=_url_info(info, "api_url"),
            api_ingest_key=info.get("api_ingest_key") or os.environ.get("API_INGEST_KEY"),
            triage_staff_key=info.get("triage_staff_key") or staff_key,
            is_fake=False,
        )
    finally:
        stop(process)


@pytest.fixture(scope="session")
def rasa_server_url(stack: Stack) -> str:
    """Base URL of the real Rasa server (socket.io channel and triage endpoint)."""
    return stack.rasa_url


@pytest.fixture(scope="session")
def hostile_webchat_port() -> int:
    """Port of the demo page that talks to the fake Rasa."""
    return free_port()


@pytest.fixture(scope="session")
def fake_rasa_url(hostile_webchat_port: int) -> Iterator[str]:
    """A fake Rasa, only for output the real bot never produces (hostile HTML)."""
    port = free_port()
    process = _start_fake(port, hostile_webchat_port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


# ---------- our servers ----------


@contextmanager
def _webchat(bot_url: str, port: int) -> Iterator[DemoServer]:
    """``python -m bot.webchat`` pointed at ``bot_url``; stopped when the block ends."""
    env = {"WEBCHAT_PORT": str(port), "WEBCHAT_HOST": "127.0.0.1", "WEBCHAT_BOT_URL": bot_url}
    process = start([sys.executable, "-m", "bot.webchat"], env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/", process)
        yield DemoServer(origin=url)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def demo_server(rasa_server_url: str, webchat_port: int) -> Iterator[DemoServer]:
    """The demo page server, with the widget pointed at the real Rasa."""
    with _webchat(rasa_server_url, webchat_port) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_demo_server(fake_rasa_url: str, hostile_webchat_port: int) -> Iterator[DemoServer]:
    """The demo page server, with the widget pointed at the fake Rasa."""
    with _webchat(fake_rasa_url, hostile_webchat_port) as server:
        yield server


@pytest.fixture(scope="session")
def staff_server(stack: Stack) -> Iterator[StaffServer]:
    """``python -m bot.staff`` against the stack's triage endpoint.

    Referral events go to the stack's real API when the stack names it and its ingest key;
    otherwise to tests/web/recording_api.py, which checks the contract and records them.
    """
    children: list[subprocess.Popen[Any]] = []
    recording_url: str | None = None
    if stack.api_url and stack.api_ingest_key:
        api_url, ingest_key = stack.api_url, stack.api_ingest_key
    else:
        api_port = free_port()
        ingest_key = INGEST_TEST_KEY
        api = start(
            [sys.executable, str(HERE / "recording_api.py"), "--port", str(api_port), "--key", ingest_key]
        )
        children.append(api)
        recording_url = api_url = f"http://127.0.0.1:{api_port}"
        wait_for_http(api_url + "/_recorded", api)
    port = free_port()
    env = {
        "APP_ENV": "development",
        "STAFF_HOST": "127.0.0.1",
        "STAFF_PORT": str(port),
        "STAFF_PAGE_KEY": STAFF_TEST_KEY,
        "RASA_URL": stack.rasa_url,
        "TRIAGE_STAFF_KEY": stack.triage_staff_key,
        "API_URL": api_url,
        "API_INGEST_KEY": ingest_key,
    }
    staff = start([sys.executable, "-m", "bot.staff"], env=env, stdout=subprocess.DEVNULL)
    children.append(staff)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health", staff)
        yield StaffServer(url=url, page_key=STAFF_TEST_KEY, recording_api_url=recording_url)
    finally:
        for child in reversed(children):
            stop(child)


# ---------- browser ----------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright's Python client."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; run scripts/install_chromium.sh (make test-web does)"
        unavailable(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture()
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (empty storage) per test, Dutch locale."""
    ctx = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()
