"""Resolves what residents write about where they live ("bocholtz", "kerkraad", "ik woon in eygelshove")
to one of the four municipalities, tolerating case, accents, hyphens and small typos."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from knowledge.models import Catalog, OutsidePlace

FUZZY_MIN_LENGTH = 6
FUZZY_RATIO = 0.85
FUZZY_RATIO_SHORT_MESSAGE = 0.8
SHORT_MESSAGE_TOKENS = 4


# Words a resident writes around a place name; a message of only these and a name is a place answer.
FILLER = frozenset(
    {"ik", "woon", "woont", "wonen", "in", "uit", "te", "de", "het", "kom", "wijk", "buurt", "dorp"}
)
# A name that is also an everyday word is a place after one of these ("ik woon in Gracht") ...
CUE_BEFORE = frozenset({"in", "uit", "te"})
# ... in a message that says where someone lives ("ik heb zin in ham" says nothing about it).
LIVES = frozenset({"woon", "woont", "wonen", "woonde", "woonachtig", "kom", "kwam", "wijk", "buurt", "dorp"})
ARTICLES = ("de ", "het ", "den ")


@dataclass(frozen=True)
class PlaceMatch:
    """A resolved place: ``gemeente`` for our area, or ``outside_nearest`` for a place outside it.

    For a place outside, ``outside`` is its entry in places.yml (the municipality it belongs to, where to look).
    """

    name: str
    gemeente: str | None
    outside_nearest: str | None = None
    outside: OutsidePlace | None = None


@dataclass(frozen=True)
class _Entry:
    match: PlaceMatch
    fuzzy: bool  # may a typo match it (municipalities, kernen, aliases), or only the exact name (buurten)
    ordinary: bool  # also an everyday word: a place only with a place cue


def normalise(text: str) -> str:
    """Lower-case, strip accents, turn punctuation and hyphens into spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _bare(key: str) -> str:
    for article in ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


@lru_cache(maxsize=8)
def _index(catalog: Catalog) -> dict[str, _Entry]:
    ordinary = {_bare(normalise(word)) for word in catalog.ordinary_place_words}

    def entry(match: PlaceMatch, key: str, fuzzy: bool) -> _Entry:
        is_ordinary = _bare(key) in ordinary
        return _Entry(match=match, fuzzy=fuzzy and not is_ordinary, ordinary=is_ordinary)

    index: dict[str, _Entry] = {}
    for gem in catalog.gemeenten.values():
        for name in (gem.name, gem.id, *gem.kernen, *gem.aliases):
            key = normalise(name)
            index[key] = entry(PlaceMatch(name=name, gemeente=gem.id), key, fuzzy=True)
        for name in gem.buurten:
            key = normalise(name)
            index.setdefault(key, entry(PlaceMatch(name=name, gemeente=gem.id), key, fuzzy=False))
    for place in catalog.outside:
        named = [(n, place.name) for n in (place.name, *place.aliases)] + [(n, n) for n in place.places]
        for name, shown in named:
            key = normalise(name)
            match = PlaceMatch(name=shown, gemeente=None, outside_nearest=place.nearest, outside=place)
            index.setdefault(key, entry(match, key, fuzzy=True))
    return index


def _cued(tokens: list[str], start: int, size: int) -> bool:
    """Is the name at ``tokens[start:start+size]`` meant as a place? Only it (and filler words), or after
    "in"/"uit"/"te" in a message that says where someone lives."""
    if all(t in FILLER for i, t in enumerate(tokens) if not start <= i < start + size):
        return True
    return start > 0 and tokens[start - 1] in CUE_BEFORE and any(t in LIVES for t in tokens[: start - 1])


def _ngrams(tokens: list[str], size: int) -> list[str]:
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


@lru_cache(maxsize=8)
def _fuzzy_candidates(catalog: Catalog) -> tuple[tuple[str, Counter[str], PlaceMatch], ...]:
    """The names a typo may match, with their letter counts for the cheap upper bound in ``_closest``."""
    return tuple((key, Counter(key), e.match) for key, e in _index(catalog).items() if e.fuzzy)


def _closest(catalog: Catalog, grams: list[str], threshold: float) -> PlaceMatch | None:
    """The fuzzy candidate with the highest ``SequenceMatcher`` ratio at or above ``threshold``.

    Why the bounds: computing the ratio for every n-gram against every name was 60 % of the action server's
    CPU per turn (BENCHMARKS.md, "Where a turn's CPU goes"). A ratio is at most 2·min(len)/total, and at most
    2·(letters in common)/total (what difflib's real_quick_ratio and quick_ratio compute), so a candidate whose
    bound is below the threshold, or not above the best ratio so far, can never be chosen and is skipped. The
    result is the same as computing every ratio: the highest, the first one found on a tie.
    """
    best: tuple[float, PlaceMatch] | None = None

    def cannot_win(bound: float) -> bool:
        return bound < threshold or (best is not None and bound <= best[0])

    for gram in grams:
        counts: Counter[str] | None = None
        for key, key_counts, match in _fuzzy_candidates(catalog):
            if abs(len(key) - len(gram)) > 3:
                continue
            total = len(key) + len(gram)
            if cannot_win(2 * min(len(key), len(gram)) / total):
                continue
            counts = counts or Counter(gram)
            if cannot_win(2 * sum((counts & key_counts).values()) / total):
                continue
            ratio = SequenceMatcher(None, gram, key).ratio()
            if ratio >= threshold and (best is None or ratio > best[0]):
                best = (ratio, match)
    return best[1] if best else None


def find_place(catalog: Catalog, text: str) -> PlaceMatch | None:
    """Find the place a message names, longest exact match first, then the closest fuzzy match.

    Fuzzy matching only looks at words of six letters or more, so everyday words ("hulp") never turn into a
    village ("Huls"); a short message ("kerkraad") may match a little more loosely than a long one. Buurten
    match only exactly. A name that is also an everyday word (places.yml ``ordinary_words``: "gracht", "vink")
    counts only with a place cue (``_cued``) and never by a typo.
    """
    index = _index(catalog)
    tokens = normalise(text).split()
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            found = index.get(" ".join(tokens[start : start + size]))
            if found is not None and (not found.ordinary or _cued(tokens, start, size)):
                return found.match
    threshold = FUZZY_RATIO_SHORT_MESSAGE if len(tokens) <= SHORT_MESSAGE_TOKENS else FUZZY_RATIO
    grams = [gram for size in (2, 1) for gram in _ngrams(tokens, size) if len(gram) >= FUZZY_MIN_LENGTH]
    return _closest(catalog, grams, threshold)


def is_only_a_place(catalog: Catalog, text: str) -> bool:
    """True when a short message is nothing but a place name (possibly with 'in'/'uit'/'ik woon in').

    "Gracht" or "in Gracht" is a place; "aan de gracht" is not.
    """
    tokens = normalise(text).split()
    bare = [t for t in tokens if t not in FILLER]
    return 0 < len(bare) <= 3 and find_place(catalog, text) is not None


def outside_text(catalog: Catalog, match: PlaceMatch, answer_follows: bool) -> str:
    """The honest reply for a place outside our area: whose place it is, where to look instead, our nearest.

    Where to look: the library there only when places.yml names it from a source, else the municipality's own
    website (or the German town's). ``answer_follows``: the answer for the nearest municipality comes next.
    """
    place = match.outside
    nearest = catalog.gemeenten[match.outside_nearest or ""].name
    gemeente = place.gemeente if place is not None else match.name
    if gemeente == match.name:
        parts = [catalog.message("place_outside", place=match.name)]
    else:
        parts = [catalog.message("place_outside_part_of", place=match.name, gemeente=gemeente)]
    if place is not None and place.abroad:
        parts.append(catalog.message("place_outside_abroad", gemeente=gemeente))
    elif place is not None and place.library and place.library_url:
        parts.append(catalog.message("place_outside_library_url", library=place.library, url=place.library_url))
    elif place is not None and place.library:
        parts.append(catalog.message("place_outside_library", library=place.library))
    else:
        parts.append(catalog.message("place_outside_website", gemeente=gemeente))
    key = "place_outside_nearest" if answer_follows else "place_outside_nearest_only"
    parts.append(catalog.message(key, nearest=nearest))
    return " ".join(parts)
