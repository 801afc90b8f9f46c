"""Word families with typing errors (knowledge/message_check_terms.py): what a term matches, and what not."""

from __future__ import annotations

import pytest

from knowledge.message_check_terms import find_all_terms, fold, parse_term, words


def _found(term: str, text: str) -> bool:
    return bool(find_all_terms((parse_term(term),), words(text)))


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("verdien*", "je verdiend 200 euro"),  # misspelt ending
        ("verdien*", "Verdienen vanuit huis"),
        ("*code", "uw verificatiecode"),  # the compound's head
        ("*code", "de sms-code"),
        ("teamviewer", "zet Teamviewr op uw telefoon"),  # a letter missing
        ("anydesk", "installeer Anydeks"),  # two letters swapped
        ("advertentie*", "ik zag je advertensie"),  # a wrong letter
        ("vrienden en familie", "via PayPal Vrienden en Familie"),
        ("oekraine", "hulp voor Oekraïne"),  # accents do not matter
    ],
)
def test_a_term_matches_its_word_family_and_typing_errors(term: str, text: str) -> None:
    assert _found(term, text)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("betalen", "wij bepalen de datum"),  # one letter apart, but in the first three letters
        ("taak", "de taal van het bericht"),  # short words must be exact
        ("vrienden en familie", "vrienden en de familie"),  # the words of a term follow each other
        ("*code", "codewoord"),
    ],
)
def test_a_term_does_not_match_look_alike_words(term: str, text: str) -> None:
    assert not _found(term, text)


def test_the_span_points_into_the_original_text() -> None:
    text = "Graag uw Verificatiecode sturen"
    [(start, end)] = find_all_terms((parse_term("*code"),), words(text))
    assert text[start:end] == "Verificatiecode"


def test_folding_lowers_strips_accents_and_doubled_letters() -> None:
    assert fold("Oekraïne") == "oekraine" and fold("verdiennen") == "verdienen"


@pytest.mark.parametrize("bad", ["", "*", "  "])
def test_an_empty_term_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_term(bad)
