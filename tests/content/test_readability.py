"""Readability gate: every topic's answer and simpler version stays within the house limits.

A failure names the file, the part, the limit and prints the offending sentence, so a writer can fix it
without running anything else. The unit tests below show that each limit can actually fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from knowledge import load_catalog
from knowledge.models import Catalog, Topic
from quality.readability import (
    MAX_RARE_SHARE,
    MIN_DOUMA_ANSWER,
    MIN_DOUMA_SIMPLE,
    TextScore,
    douma,
    findings,
    score_topic,
)
from quality.segment import split_sentences, words
from quality.vocabulary import (
    AllowedTerm,
    AllowListError,
    is_explained,
    is_transparent_compound,
    load_allowed_terms,
)

TOPIC_IDS = sorted(load_catalog().topics)


def _topic(catalog: Catalog, **changes: object) -> Topic:
    """A copy of a real topic with some fields replaced (Topic is a frozen dataclass)."""
    from dataclasses import replace

    return replace(catalog.topics["digid_aanvragen"], **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_is_readable(catalog: Catalog, allowed: tuple[AllowedTerm, ...], topic_id: str) -> None:
    # arrange
    answer, simple = score_topic(catalog.topics[topic_id], allowed)
    # act
    problems = findings(answer) + findings(simple)
    # assert
    assert not problems, "\n" + "\n".join(str(p) for p in problems)


def test_split_keeps_domain_names_times_and_abbreviations_inside_the_sentence() -> None:
    text = "Ga naar digid.nl en log in. Bel om 8.00 uur, bijv. morgen. Hulp nodig? Kom langs!"
    assert split_sentences(text) == [
        "Ga naar digid.nl en log in.",
        "Bel om 8.00 uur, bijv. morgen.",
        "Hulp nodig?",
        "Kom langs!",
    ]


def test_words_treat_domain_and_hyphenated_words_as_one() -> None:
    assert words("Neem uw ID-kaart mee naar het E-café, zie mijn.overheid.nl.") == [
        "Neem", "uw", "ID-kaart", "mee", "naar", "het", "E-café", "zie", "mijn.overheid.nl",
    ]  # fmt: skip


def test_douma_matches_textstat_dutch_where_both_split_the_same_way() -> None:
    # textstat ignores sentences of two words or fewer and cuts at every dot, so the text avoids both.
    text = "De bibliotheek helpt u graag met uw vragen. U kunt zonder afspraak langskomen bij de balie."
    textstat.set_lang("nl")
    assert douma(split_sentences(text)) == pytest.approx(textstat.flesch_reading_ease(text), abs=0.01)


def test_long_sentence_fails_and_is_printed(catalog: Catalog, allowed: tuple[AllowedTerm, ...]) -> None:
    long_sentence = (
        "U kunt met uw vragen over de belasting en de toeslagen en ook over uw pensioen altijd op "
        "dinsdag en vrijdag bij ons langskomen in de bibliotheek."
    )
    answer, _ = score_topic(_topic(catalog, answer=long_sentence, steps=()), allowed)
    problems = [str(f) for f in findings(answer)]
    assert any("more than 20" in p and long_sentence in p for p in problems), problems
    assert any("on average" in p for p in problems), problems


def test_hard_words_fail_the_douma_limit(catalog: Catalog, allowed: tuple[AllowedTerm, ...]) -> None:
    text = (
        "Gemeentelijke belastingaanslagen worden geautomatiseerd verwerkt. "
        "Bezwaarschriften vereisen onderbouwing."
    )
    answer, simple = score_topic(_topic(catalog, answer=text, steps=(), simple=text), allowed)
    assert answer.douma < MIN_DOUMA_ANSWER
    assert simple.douma < MIN_DOUMA_SIMPLE
    assert any("Flesch-Douma" in str(f) for f in findings(simple))


def test_rare_words_over_the_limit_fail_with_their_sentence(
    catalog: Catalog, allowed: tuple[AllowedTerm, ...]
) -> None:
    text = "Uw aanslag kent een naheffing. Ook de dwangbevel volgt. Dat is de procedure."
    answer, _ = score_topic(_topic(catalog, answer=text, steps=()), allowed)
    assert answer.rare_share > MAX_RARE_SHARE
    message = "\n".join(str(f) for f in findings(answer))
    assert "naheffing" in message and "Uw aanslag kent een naheffing." in message


def test_allowed_term_counts_only_where_the_topic_explains_it(
    catalog: Catalog, allowed: tuple[AllowedTerm, ...]
) -> None:
    explained = "Zet tweestapsverificatie aan. Dat is een dubbel slot op uw account."
    unexplained = "Zet tweestapsverificatie aan in uw account."
    with_explanation, _ = score_topic(_topic(catalog, answer=explained, steps=()), allowed)
    without, _ = score_topic(_topic(catalog, answer=unexplained, steps=()), allowed)
    assert "tweestapsverificatie" in with_explanation.allowed
    assert "tweestapsverificatie" in without.rare


@pytest.mark.parametrize(
    ("pattern", "sentences", "expected"),
    [
        ("*toeslag*", ["Een toeslag is geld van de overheid."], True),
        ("phishing", ["Dit heet phishing: ze vissen naar uw geld."], True),
        ("bsn", ["Denk aan uw burgerservicenummer (BSN)."], True),
        ("burgerservicenummer", ["Denk aan uw burgerservicenummer (BSN)."], False),
        ("phishing", ["Zet phishing uit.", "Dat is een nepbericht."], True),
        ("phishing", ["Pas op voor phishing.", "Bel uw bank."], False),
    ],
)
def test_explanation_patterns(pattern: str, sentences: list[str], expected: bool) -> None:
    term = AllowedTerm(pattern=pattern, kind="term", why="test")
    assert is_explained(term, sentences) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("bankgegevens", True), ("gezondheidsverklaring", True), ("nepfoto's", True),
     ("aanmaningen", False), ("desinformatie", False), ("naheffing", False)],
)  # fmt: skip
def test_transparent_compounds(word: str, expected: bool) -> None:
    assert is_transparent_compound(word) is expected


def test_every_allowed_term_is_used_by_some_topic(catalog: Catalog, allowed: tuple[AllowedTerm, ...]) -> None:
    texts = [" ".join([t.answer, *t.steps, t.simple]) for t in catalog.topics.values()]
    tokens = {w for text in texts for w in words(text)}
    unused = [t.pattern for t in allowed if not any(t.matches(w) for w in tokens)]
    assert not unused, f"remove unused entries from quality/allowed_terms.yml: {unused}"


def test_allow_list_errors_name_entry_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "allowed.yml"
    bad.write_text("terms:\n  - {term: bsn, kind: word, why: x}\n", encoding="utf-8")
    with pytest.raises(AllowListError, match=r"terms\[0\] \(bsn\): field 'kind'"):
        load_allowed_terms(bad)


def test_empty_text_scores_zero() -> None:
    score = TextScore(topic="x", part="simple", sentences=(), douma=douma([]), word_count=0, rare=())
    assert score.douma == 0.0 and score.rare_share == 0.0 and score.average_sentence_words == 0.0
