"""Keeps one loaded Catalog per process and reloads it when a content file or the staff overlay changes, so
edits need no restart. A reload that fails keeps serving the last good catalogue and raises only when there is
none. The overlay (staff edits from the API, knowledge/overlay_feed.py) applies when ``CONTENT_OVERLAY_URL``
is set."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from knowledge.loader import CONTENT_DIR, load_catalog
from knowledge.models import Catalog
from knowledge.overlay import Edit, patcher
from knowledge.overlay_feed import feed_from_environment
from knowledge.validation import ContentError

log = logging.getLogger(__name__)
# Looking at every file's mtime on each message would be needless I/O on the reply path; once every two
# seconds is quick enough for a staff edit to show up.
RELOAD_CHECK_SECONDS = 2.0
_lock = threading.Lock()
_state: dict[tuple[Path, bool], tuple[tuple[object, ...], Catalog]] = {}
_checked_at: dict[tuple[Path, bool], float] = {}


def _fingerprint(root: Path) -> tuple[tuple[str, float], ...]:
    files = sorted(root.glob("*.yml")) + sorted((root / "topics").glob("*.yml"))
    return tuple((str(p), p.stat().st_mtime) for p in files)


def _overlay(with_overlay: bool) -> tuple[int, dict[str, Edit]]:
    feed = feed_from_environment() if with_overlay else None
    return feed.current() if feed is not None else (-1, {})


def _load(root: Path, overlay: dict[str, Edit]) -> Catalog:
    """knowledge/ with the overlay; when the overlay no longer fits the files (a redeploy changed them), the
    files alone, so residents get the reviewed content rather than nothing."""
    try:
        return load_catalog(root, patcher(overlay))
    except ContentError as exc:
        if not overlay:
            raise
        log.error("staff edits do not fit the content files, serving the files without them: %s", exc)
        return load_catalog(root)


def get_catalog(content_dir: Path | None = None, with_overlay: bool = True) -> Catalog:
    """The current catalogue for ``content_dir`` (default: the package's own content).

    ``with_overlay=False`` is for the API, which stores the overlay itself and never needs it in its
    vocabulary (edits add no topic, target or municipality).
    """
    root = content_dir or CONTENT_DIR
    slot = (root, with_overlay)
    with _lock:
        cached = _state.get(slot)
        now = time.monotonic()
        if cached is not None and now - _checked_at.get(slot, 0.0) < RELOAD_CHECK_SECONDS:
            return cached[1]
        _checked_at[slot] = now
        version, overlay = _overlay(with_overlay)
        fingerprint = (*_fingerprint(root), version)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        try:
            catalog = _load(root, overlay)
        except ContentError as exc:
            if cached is None:
                raise
            log.error("content reload failed, keeping the previous content: %s", exc)
            return cached[1]
        _state[slot] = (fingerprint, catalog)
        return catalog
