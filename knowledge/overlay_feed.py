"""Fetches the staff edits (the overlay) from the API in the background, so every process that answers residents
(action servers, Rasa's triage channel) applies them within seconds, without a restart or retraining.

Set ``CONTENT_OVERLAY_URL`` (the API's ``/api/v1/content/overlay``) and ``CONTENT_OVERLAY_KEY`` (any API key
that may read it). Without the URL there is no overlay: the content is knowledge/ alone.

Why a thread and not a fetch per message: the reply path must never wait on the network. The thread asks every
``POLL_SECONDS``; when the API is down it keeps the last overlay it had. The last good overlay is also written
to ``CONTENT_OVERLAY_CACHE`` (default ``var/content-overlay.json``), so a process that starts while the API is
down still applies the edits it saw last; a first start on a new machine with the API down has none until the
API answers (docs/CONTENT.md, "Staff edits"). Stdlib only: both runtimes import it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from knowledge.overlay import Edit, latest
from shared.secret_policy import check_environ

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0
TIMEOUT_SECONDS = 3.0
DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "var" / "content-overlay.json"


def parse_overlay(body: Any) -> tuple[int, dict[str, Edit]]:
    """The API's answer ``{"version": n, "edits": [...]}`` as (version, overlay); raises ValueError."""
    if not isinstance(body, dict) or not isinstance(body.get("edits"), list):
        raise ValueError("overlay answer must be an object with an 'edits' list")
    try:
        edits = [Edit.from_dict(item) for item in body["edits"]]
        return int(body.get("version", 0)), latest(edits)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"overlay answer has a malformed edit: {exc}") from exc


def fetch_overlay(url: str, key: str | None, timeout: float = TIMEOUT_SECONDS) -> tuple[int, dict[str, Edit]]:
    """One GET of the overlay; raises OSError (network, HTTP status) or ValueError (body)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if key:
        request.add_header("X-API-Key", key)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return parse_overlay(json.loads(response.read().decode("utf-8")))


class OverlayFeed:
    """The latest overlay this process knows, refreshed by a daemon thread started on first use."""

    def __init__(self, url: str, key: str | None, cache: Path, poll_seconds: float = POLL_SECONDS) -> None:
        """Remember where to ask; nothing starts until ``current()`` is first called."""
        self._url, self._key, self._cache, self._poll = url, key, cache, poll_seconds
        self._lock = threading.Lock()
        self._version = -1
        self._overlay: dict[str, Edit] = {}
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._failing = False

    def _store(self, version: int, overlay: dict[str, Edit], write: bool) -> None:
        with self._lock:
            changed = version != self._version
            self._version, self._overlay = version, overlay
        if changed and write:
            try:
                self._cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = self._cache.with_suffix(".tmp")
                body = {"version": version, "edits": [e.to_dict() for e in overlay.values()]}
                tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
                tmp.replace(self._cache)
            except OSError as exc:
                log.warning("content overlay cache not written (%s): %s", self._cache, exc)

    def _read_cache(self) -> None:
        try:
            version, overlay = parse_overlay(json.loads(self._cache.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("content overlay cache %s unreadable: %s", self._cache, exc)
            return
        self._store(version, overlay, write=False)

    def refresh(self) -> bool:
        """Ask the API once; True when it answered. A failure keeps the overlay we had, logged once."""
        try:
            version, overlay = fetch_overlay(self._url, self._key)
        except (OSError, ValueError) as exc:
            if not self._failing:
                log.warning("content overlay not fetched, keeping version %s until the API answers: %s",
                            self._version, exc)  # fmt: skip
            self._failing = True
            return False
        if self._failing:
            log.warning("content overlay fetched again (version %s)", version)
        self._failing = False
        self._store(version, overlay, write=True)
        return True

    def _run(self) -> None:
        while True:
            self._wake.wait(self._poll)
            self._wake.clear()
            self.refresh()

    def current(self) -> tuple[int, dict[str, Edit]]:
        """(version, overlay) as known now; the first call fetches once (or reads the cache), then polls."""
        with self._lock:
            started = self._thread is not None
            if not started:
                self._thread = threading.Thread(target=self._run, name="content-overlay", daemon=True)
        if not started:
            if not self.refresh():
                self._read_cache()
            assert self._thread is not None
            self._thread.start()
        with self._lock:
            return self._version, self._overlay


_feed_lock = threading.Lock()
_feed: dict[str, OverlayFeed] = {}


def feed_from_environment() -> OverlayFeed | None:
    """The process's feed when ``CONTENT_OVERLAY_URL`` is set, else None (knowledge/ alone)."""
    url = os.environ.get("CONTENT_OVERLAY_URL", "").strip()
    if not url:
        return None
    with _feed_lock:
        if url not in _feed:
            check = check_environ("CONTENT_OVERLAY_KEY")
            # A refused key (a placeholder outside development) is not sent; the API then answers 401 and the
            # content stays knowledge/ alone, logged, rather than stopping the resident chat.
            key = os.environ["CONTENT_OVERLAY_KEY"].strip() if check.usable else None
            if not check.usable:
                log.error("content overlay without a key: %s", check.describe())
            cache = Path(os.environ.get("CONTENT_OVERLAY_CACHE", "") or DEFAULT_CACHE)
            _feed[url] = OverlayFeed(url, key, cache)
        return _feed[url]
