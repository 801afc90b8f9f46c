"""What the triage contract tests share: the real catalogue and one fixed Wednesday evening in Amsterdam."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from knowledge import Catalog, load_catalog

NOW = datetime(2025, 11, 26, 19, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@cache
def catalog() -> Catalog:
    """The repository's content, loaded once on first use (not at import) and shared by the triage tests."""
    return load_catalog()
