"""Fixtures for content tests: the real catalogue, and a copy of the content folder that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import Catalog, load_catalog
from knowledge.loader import CONTENT_DIR


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(CONTENT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target
