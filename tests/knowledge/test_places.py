from __future__ import annotations

import pytest

from knowledge.places import find_place, is_only_a_place, normalise

# Everyday words that are also place names (see ORDINARY_USES below), after a place cue or standing alone.
CUED_EVERYDAY_WORDS = [
    ("ik woon in gracht", "kerkrade"),
    ("Gracht", "kerkrade"),
    ("in Gracht", "kerkrade"),
    ("ik woon in Vink, mijn digid doet het niet", "kerkrade"),
    ("ik woon in de Vink", "kerkrade"),
    ("Holz", "kerkrade"),
    ("ik kom uit Holz en heb een vraag over toeslagen", "kerkrade"),
    ("Huls", "simpelveld"),
    ("ik woon in Klimmen", "voerendaal"),
    ("Klimmen", "voerendaal"),
]


PLACE_NAMES = [
    ("Bocholtz", "simpelveld"),
    ("ik woon in eygelshoven, wanneer is het e-cafe", "kerkrade"),
    ("brunsum", "brunssum"),
    ("kerkraad", "kerkrade"),
    ("simpelveldt", "simpelveld"),
    ("KERKRADE-WEST", "kerkrade"),
    ("kerkrade west", "kerkrade"),
    ("ik kom uit Ubachsberg", "voerendaal"),
    ("Treebeek", "brunssum"),
    ("voerendal", "voerendaal"),
    ("Kirchroa", "kerkrade"),
    # names added from the sources in places.yml: buurtschappen, wijken and dialect names
    ("ik woon in Termaar", "voerendaal"),
    ("Colmont", "voerendaal"),
    ("ik kom uit Klumme", "voerendaal"),
    ("Gen Berg", "voerendaal"),
    ("Kunder", "voerendaal"),
    ("ik woon in Ransdaal, hoe werkt digid", "voerendaal"),
    ("Voelender", "voerendaal"),
    ("ik woon in Bocholtzerheide", "simpelveld"),
    ("Vlengendaal", "simpelveld"),
    ("In de Gaas", "simpelveld"),
    ("ik woon in Molsberg", "simpelveld"),
    ("Zumpelveld", "simpelveld"),
    ("Heilust", "kerkrade"),
    ("Egelze", "kerkrade"),
    ("ik woon in Waubacherveld", "kerkrade"),
    ("Oeloven", "brunssum"),
    ("Treebeek-Noord", "brunssum"),
    ("Broenssem", "brunssum"),
    # Onder-Merkelbeek is Brunssum (De Kling), though Merkelbeek itself is Beekdaelen
    ("ik woon in Onder-Merkelbeek", "brunssum"),
]


@pytest.mark.parametrize(("text", "gemeente"), PLACE_NAMES + CUED_EVERYDAY_WORDS)
def test_places_resolve_to_their_municipality(catalog, text, gemeente):
    match = find_place(catalog, text)
    assert match is not None and match.gemeente == gemeente


@pytest.mark.parametrize(
    "text",
    [
        "ik heb hulp nodig",
        "mijn wachtwoord is kwijt",
        "wanneer is het e-cafe",
        "hoe vraag ik toeslag aan",
        "",
    ],
)
def test_ordinary_sentences_name_no_place(catalog, text):
    assert find_place(catalog, text) is None


# Gracht, Vink, Holz, Huls, Ham, Klimmen ... are places and everyday words: without a place cue, no place.
ORDINARY_USES = [
    "ik woon aan de gracht",
    "er zit een vink in de tuin",
    "ik heb holz gekocht",
    "ik wil een hulp bij mijn telefoon",
    "ik ben in de huls van mijn telefoon",
    "mijn kleinzoon heet Vink",
    "ik heb zin in ham",
    "ik kan de trap niet meer op klimmen",
    "de vink zit in de boom",
    "mijn broek is kapot",
    "er staan veel huizen aan de grachten",
    "ik heb hulp nodig bij rampen",
]


@pytest.mark.parametrize("text", ORDINARY_USES)
def test_everyday_words_that_are_also_place_names_name_no_place(catalog, text):
    assert find_place(catalog, text) is None
    assert not is_only_a_place(catalog, text)


@pytest.mark.parametrize(
    "text", ["Gracht", "in Gracht", "ik woon in Vink", "de Vink", "Eygelshoven", "Ubachsberg"]
)
def test_a_place_alone_answers_the_place_question(catalog, text):
    assert is_only_a_place(catalog, text)


def test_every_ordinary_word_is_a_listed_place(catalog):
    # the loader rejects an ordinary word that names no place; the list is not empty
    assert {"Gracht", "Vink", "Holz", "Huls"} <= catalog.ordinary_place_words


def test_every_gemeente_names_its_sources(catalog):
    for gem in catalog.gemeenten.values():
        assert gem.sources, gem.id
        for key in gem.sources:
            url, covers = catalog.place_sources[key]
            assert url.startswith("https://") and covers


def test_places_outside_the_area_point_to_the_nearest_municipality(catalog):
    match = find_place(catalog, "ik woon in Heerlen")
    assert match is not None and match.gemeente is None and match.outside_nearest == "voerendaal"


@pytest.mark.parametrize(
    ("text", "said", "gemeente", "nearest"),
    [
        ("ik woon in Hoensbroek", "Hoensbroek", "Heerlen", "brunssum"),
        ("Gebrook", "Hoensbroek", "Heerlen", "brunssum"),
        ("ik woon in Schinveld", "Schinveld", "Beekdaelen", "brunssum"),
        ("Merkelbeek", "Merkelbeek", "Beekdaelen", "brunssum"),
        ("ik kom uit Hulsberg", "Hulsberg", "Beekdaelen", "voerendaal"),
        ("Nuth", "Nuth", "Beekdaelen", "voerendaal"),
        ("Onderbanken", "Onderbanken", "Beekdaelen", "brunssum"),
        ("ik woon in Herzogenrath", "Herzogenrath", "Herzogenrath", "kerkrade"),
        ("Kohlscheid", "Kohlscheid", "Herzogenrath", "kerkrade"),
        ("Aachen", "Aken", "Aken", "kerkrade"),
        ("Landgraaf", "Landgraaf", "Landgraaf", "kerkrade"),
        ("Gulpen", "Gulpen", "Gulpen-Wittem", "simpelveld"),
        ("Valkenburg", "Valkenburg", "Valkenburg aan de Geul", "voerendaal"),
    ],
)
def test_outside_places_know_their_own_municipality(catalog, text, said, gemeente, nearest):
    match = find_place(catalog, text)
    assert match is not None and match.gemeente is None and match.outside is not None
    assert (match.name, match.outside.gemeente, match.outside_nearest) == (said, gemeente, nearest)


def test_germany_is_abroad_and_heerlen_has_a_sourced_library(catalog):
    aken = find_place(catalog, "Aachen")
    heerlen = find_place(catalog, "Hoensbroek")
    assert aken is not None and aken.outside is not None and aken.outside.abroad
    assert heerlen is not None and heerlen.outside is not None
    assert heerlen.outside.library == "Bibliotheek Heerlen" and heerlen.outside.source in catalog.place_sources


def test_only_a_place(catalog):
    assert is_only_a_place(catalog, "ik woon in Bocholtz")
    assert not is_only_a_place(catalog, "ik woon in Bocholtz en mijn digid werkt niet meer sinds gisteren")


def test_normalise_strips_accents_and_punctuation():
    assert normalise("  Bóches!  Kerkrade-West ") == "boches kerkrade west"


def _closest_by_every_ratio(catalog, grams: list[str], threshold: float):
    """The fuzzy search as it was before the bounds: every ratio computed (the oracle for the test below)."""
    from difflib import SequenceMatcher

    from knowledge.places import _index

    best = None
    for gram in grams:
        for key, candidate in _index(catalog).items():
            if not candidate.fuzzy or abs(len(key) - len(gram)) > 3:
                continue
            ratio = SequenceMatcher(None, gram, key).ratio()
            if ratio >= threshold and (best is None or ratio > best[0]):
                best = (ratio, candidate.match)
    return best[1] if best else None


def _typos(word: str) -> list[str]:
    """A dropped, doubled and swapped letter and a wrong vowel, at every position."""
    out = []
    for i in range(len(word)):
        out += [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:], word[:i] + "e" + word[i + 1 :]]
        if i + 1 < len(word):
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


def test_the_bounds_never_change_which_place_a_typo_matches() -> None:
    """Skipping candidates whose upper bound cannot win must give exactly the full search's answer."""
    from knowledge import load_catalog
    from knowledge.places import FUZZY_RATIO, FUZZY_RATIO_SHORT_MESSAGE, _closest, _index

    catalog = load_catalog()
    words = sorted({w for key in _index(catalog) for w in key.split() if len(w) >= 5})
    grams = sorted({t for w in words for t in _typos(w) if len(t) >= 6})[::3]
    grams += ["eygelshove", "ubachoverworms", "simpelvelt", "bocholz", "kerkraad", "heerlen", "hoensbroek"]
    assert len(grams) > 500
    pairs = [[a, b] for a, b in zip(grams[::7], grams[3::7], strict=False)]
    for threshold in (FUZZY_RATIO, FUZZY_RATIO_SHORT_MESSAGE):
        for case in [[gram] for gram in grams] + pairs:
            assert _closest(catalog, case, threshold) == _closest_by_every_ratio(catalog, case, threshold), case
