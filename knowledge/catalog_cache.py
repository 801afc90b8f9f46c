"""Keeps one loaded Catalog per process and reloads it when a content file changes, so staff edits need no
restart. A reload that fails keeps serving the last good catalogue and raises only when there is none."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from knowledge.loader import CONTENT_DIR, load_catalog
from knowledge.models import Catalog
from knowledge.validation import ContentError

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[Path, tuple[tuple[tuple[str, float], ...], Catalog]] = {}


def _fingerprint(root: Path) -> tuple[tuple[str, float], ...]:
    files = sorted(root.glob("*.yml")) + sorted((root / "topics").glob("*.yml"))
    return tuple((str(p), p.stat().st_mtime) for p in files)


def get_catalog(content_dir: Path | None = None) -> Catalog:
    """The current catalogue for ``content_dir`` (default: the package's own content)."""
    root = content_dir or CONTENT_DIR
    with _lock:
        fingerprint = _fingerprint(root)
        cached = _state.get(root)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        try:
            catalog = load_catalog(root)
        except ContentError as exc:
            if cached is None:
                raise
            log.error("content reload failed, keeping the previous content: %s", exc)
            return cached[1]
        _state[root] = (fingerprint, catalog)
        return catalog
