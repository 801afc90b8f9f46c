"""Wegwijzer's content: validated topic answers, organisations, locations and places, shared by both
Python environments. Pure Python; imports nothing from Rasa or the API."""

from knowledge.catalog_cache import get_catalog
from knowledge.loader import load_catalog
from knowledge.models import Catalog, Topic
from knowledge.validation import ContentError

__all__ = ["Catalog", "ContentError", "Topic", "get_catalog", "load_catalog"]
