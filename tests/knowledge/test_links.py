"""Finding web addresses in resident text: with and without scheme, bare domains, and what is not a link."""

from __future__ import annotations

import pytest

from knowledge.links import find_links, registrable_domain, skeleton


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Ga naar https://mijn.digid.nl/login nu", "digid.nl"),
        ("kijk op www.post-nl-bezorging.info", "post-nl-bezorging.info"),
        ("betaal via post-nl.info/abc123", "post-nl.info"),
        ("http://ING.nl", "ing.nl"),
        ("link: bit.ly/3xYz.", "bit.ly"),
        ("zie example.co.uk/x", "example.co.uk"),
    ],
)
def test_links_are_found_with_their_registrable_domain(text: str, domain: str) -> None:
    links = find_links(text)
    assert [link.domain for link in links] == [domain]
    assert links[0].text in text and not links[0].text.endswith(".")


@pytest.mark.parametrize(
    "text",
    [
        "Zie de bijlage.pdf voor meer informatie",
        "Mail naar [E-MAIL] als u vragen heeft",
        "Het kost 1.99 euro en om 8.00 uur gaan we open",
        "dat.was een leuke dag",
    ],
)
def test_words_with_dots_are_not_links(text: str) -> None:
    assert find_links(text) == []


def test_a_placeholder_in_a_path_ends_the_link() -> None:
    [link] = find_links("kijk op https://bit.ly/[TELEFOON] nu")
    assert link.text == "https://bit.ly/"


def test_registrable_domain_keeps_two_labels() -> None:
    assert registrable_domain("a.b.mijnoverheid.nl") == "mijnoverheid.nl"
    assert registrable_domain("digid.nl.inlog-check.com") == "inlog-check.com"


def test_skeleton_reads_digits_as_letters_and_drops_hyphens() -> None:
    assert skeleton("p0st-nl") == "postnl"
    assert skeleton("rab0bank") == "rabobank"
