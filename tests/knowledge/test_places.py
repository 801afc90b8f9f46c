from __future__ import annotations

import pytest

from knowledge.places import find_place, is_only_a_place, normalise


@pytest.mark.parametrize(
    ("text", "gemeente"),
    [
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
    ],
)
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


def test_places_outside_the_area_point_to_the_nearest_municipality(catalog):
    match = find_place(catalog, "ik woon in Heerlen")
    assert match is not None and match.gemeente is None and match.outside_nearest == "voerendaal"


def test_only_a_place(catalog):
    assert is_only_a_place(catalog, "ik woon in Bocholtz")
    assert not is_only_a_place(catalog, "ik woon in Bocholtz en mijn digid werkt niet meer sinds gisteren")


def test_normalise_strips_accents_and_punctuation():
    assert normalise("  Bóches!  Kerkrade-West ") == "boches kerkrade west"
