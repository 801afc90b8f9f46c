"""Serves the widget's demo page and its static bundle (stdlib only, development and tests).

Production serves bot/webchat/static/ from the library's own web server; this server exists so
``make run`` shows the widget on a page. It sends a strict Content-Security-Policy (no inline
script or style) to prove the widget works under one, and serves only the files in static/.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEMO_PAGE = Path(__file__).resolve().parent / "index.html"

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}

logger = logging.getLogger("wegwijzer.webchat")


@dataclass(frozen=True)
class WebchatSettings:
    """Where the demo server listens and which bot the widget talks to."""

    host: str
    port: int
    bot_url: str


def websocket_origin(bot_url: str) -> str:
    """The ws(s):// origin matching an http(s):// bot URL, for the CSP's connect-src.

    Args:
        bot_url: the bot's base URL, e.g. ``http://127.0.0.1:5005``.

    Returns:
        The WebSocket origin, e.g. ``ws://127.0.0.1:5005``.

    Raises:
        ValueError: when the URL is not an absolute http(s) URL.
    """
    parts = urlsplit(bot_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # The URL itself is not echoed: it may carry a user name and password.
        raise ValueError(
            f"WEBCHAT_BOT_URL must be an absolute http(s) URL (scheme {parts.scheme or 'missing'!r}, "
            f"host {'set' if parts.netloc else 'missing'})"
        )
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}"


def embed_snippet(bot_url: str) -> str:
    """The one <script> tag a page needs to show the widget."""
    return (
        '<script src="/static/wegwijzer.js" defer\n'
        f'        data-bot-url="{html.escape(bot_url, quote=True)}"\n'
        '        data-greeting="Hallo! Ik ben Wegwijzer, een digitale assistent. Waarmee kan ik u'
        ' helpen?"></script>'
    )


def render_demo_page(bot_url: str) -> bytes:
    """The demo page with the embed snippet, shown as code and used for real."""
    snippet = embed_snippet(bot_url)
    page = DEMO_PAGE.read_text(encoding="utf-8")
    page = page.replace("{{SNIPPET}}", html.escape(snippet)).replace("{{EMBED}}", snippet)
    return page.encode("utf-8")


def security_headers(bot_url: str) -> dict[str, str]:
    """Headers sent with every response: a strict CSP that only allows the bot's origin."""
    parts = urlsplit(bot_url)
    http_origin = f"{parts.scheme}://{parts.netloc}"
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {http_origin} {websocket_origin(bot_url)}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


class WebchatHandler(BaseHTTPRequestHandler):
    """GET / for the demo page and GET /static/<name> for files directly in static/."""

    server_version = "wegwijzer-webchat"
    sys_version = ""

    def __init__(self, *args: object, settings: WebchatSettings, **kwargs: object) -> None:
        """Keep the settings; the base class then handles the request."""
        self.settings = settings
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        """Serve the demo page or one static file."""
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        """Like GET without a body."""
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, ".html", render_demo_page(self.settings.bot_url), send_body)
            return
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            candidate = STATIC_DIR / name
            # Only plain file names directly inside static/: no sub-paths, no "..".
            if "/" not in name and name and candidate.is_file() and candidate.suffix in CONTENT_TYPES:
                self._send(HTTPStatus.OK, candidate.suffix, candidate.read_bytes(), send_body)
                return
        self._send(HTTPStatus.NOT_FOUND, ".txt", b"Niet gevonden.\n", send_body)

    def _send(self, status: HTTPStatus, suffix: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPES[suffix])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in security_headers(self.settings.bot_url).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Log method, path and status only (paths here never carry user text)."""
        logger.info("%s %s", self.command, format % args)


def make_server(settings: WebchatSettings) -> ThreadingHTTPServer:
    """Build (but do not start) the HTTP server.

    Args:
        settings: where to listen and which bot URL the demo page embeds.

    Returns:
        A bound server; call ``serve_forever()`` on it.
    """
    websocket_origin(settings.bot_url)  # fail fast on a bad URL
    handler = partial(WebchatHandler, settings=settings)
    return ThreadingHTTPServer((settings.host, settings.port), handler)
