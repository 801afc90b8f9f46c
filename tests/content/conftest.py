"""Fixtures for the content quality tests: the real catalogue and the real allow-list, loaded once."""

from __future__ import annotations

import pytest

from knowledge import Catalog, load_catalog
from quality.vocabulary import AllowedTerm, load_allowed_terms


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def allowed() -> tuple[AllowedTerm, ...]:
    return load_allowed_terms()
