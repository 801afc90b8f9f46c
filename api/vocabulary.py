"""The API's closed value lists, all from one source: knowledge/reach.py (kinds, channels, the day window) and
the content in knowledge/ (topics, referral targets, municipalities), reloaded when a content file changes, so
a content deploy that adds a topic or a desk is accepted without restarting the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from knowledge import get_catalog
from knowledge.reach import CHANNELS, KINDS, SNAKE_ID, ReachVocabulary, reach_vocabulary

SNAKE_ID_PATTERN: Final[str] = SNAKE_ID.pattern
HELPFUL_VALUES: Final[tuple[str, ...]] = ("true", "false")

__all__ = ["CHANNELS", "HELPFUL_VALUES", "KINDS", "SNAKE_ID_PATTERN", "current_vocabulary"]


def current_vocabulary(content_dir: Path | None = None) -> ReachVocabulary:
    """The vocabulary of the content as it is now (``content_dir`` None: the package's own knowledge/)."""
    return reach_vocabulary(get_catalog(content_dir, with_overlay=False))
