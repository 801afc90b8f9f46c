"""Resolves what residents write about where they live ("bocholtz", "kerkraad", "ik woon in eygelshove")
to one of the four municipalities, tolerating case, accents, hyphens and small typos."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from knowledge.models import Catalog

FUZZY_MIN_LENGTH = 6
FUZZY_RATIO = 0.85
FUZZY_RATIO_SHORT_MESSAGE = 0.8
SHORT_MESSAGE_TOKENS = 4


@dataclass(frozen=True)
class PlaceMatch:
    """A resolved place: ``gemeente`` for our area, or ``outside_nearest`` for a place outside it."""

    name: str
    gemeente: str | None
    outside_nearest: str | None = None


def normalise(text: str) -> str:
    """Lower-case, strip accents, turn punctuation and hyphens into spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@lru_cache(maxsize=8)
def _index(catalog: Catalog) -> dict[str, PlaceMatch]:
    index: dict[str, PlaceMatch] = {}
    for gem in catalog.gemeenten.values():
        for name in (gem.name, gem.id, *gem.kernen, *gem.aliases):
            index[normalise(name)] = PlaceMatch(name=name, gemeente=gem.id)
    for place in catalog.outside:
        for name in (place.name, *place.aliases):
            index.setdefault(
                normalise(name),
                PlaceMatch(name=place.name, gemeente=None, outside_nearest=place.nearest),
            )
    return index


def _ngrams(tokens: list[str], size: int) -> list[str]:
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def find_place(catalog: Catalog, text: str) -> PlaceMatch | None:
    """Find the place a message names, longest exact match first, then the closest fuzzy match.

    Fuzzy matching only looks at words of six letters or more, so everyday words ("hulp") never turn into a
    village ("Huls"); a short message ("kerkraad") may match a little more loosely than a long one.
    """
    index = _index(catalog)
    tokens = normalise(text).split()
    for size in (3, 2, 1):
        for gram in _ngrams(tokens, size):
            if gram in index:
                return index[gram]
    threshold = FUZZY_RATIO_SHORT_MESSAGE if len(tokens) <= SHORT_MESSAGE_TOKENS else FUZZY_RATIO
    best: tuple[float, PlaceMatch] | None = None
    for size in (2, 1):
        for gram in _ngrams(tokens, size):
            if len(gram) < FUZZY_MIN_LENGTH:
                continue
            for key, match in index.items():
                if abs(len(key) - len(gram)) > 3:
                    continue
                ratio = SequenceMatcher(None, gram, key).ratio()
                if ratio >= threshold and (best is None or ratio > best[0]):
                    best = (ratio, match)
    return best[1] if best else None


def is_only_a_place(catalog: Catalog, text: str) -> bool:
    """True when a short message is nothing but a place name (possibly with 'in'/'uit'/'ik woon in')."""
    tokens = [t for t in normalise(text).split() if t not in {"ik", "woon", "in", "uit", "te", "de", "het"}]
    return 0 < len(tokens) <= 3 and find_place(catalog, " ".join(tokens)) is not None
