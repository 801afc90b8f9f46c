"""Action-test helpers: inline trackers (the scenario stays readable) and a throwaway outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from knowledge import Catalog, load_catalog
from tests.actions.action_support import WEDNESDAY_EVENING
from tests.outbox.outbox_support import private_outbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture()
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from private_outbox(tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJZER_NOW", WEDNESDAY_EVENING)


@pytest.fixture()
def use_content(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Catalog]:
    """Make the actions answer from another content folder (a copy a test edited); returns its catalogue."""
    from actions import rasa_actions

    def use(root: Path) -> Catalog:
        catalog = load_catalog(root)
        monkeypatch.setattr(rasa_actions, "get_catalog", lambda: catalog)
        return catalog

    return use
