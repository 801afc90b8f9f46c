"""Two questions in one message (knowledge/two_questions.py): the shape of the text, the runner-up's confidence
and kind, and the content file's validation. Rankings are written out in Rasa's ``intent_ranking`` format, so
no trained model is needed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knowledge import Catalog, ContentError, load_catalog
from knowledge.two_questions import (
    PART_RANKINGS_KEY,
    TwoQuestionRules,
    first_part,
    has_two_parts,
    later_parts,
    part_rankings_of,
    second_offer,
)

CATALOG = load_catalog()
TWO = "mijn digid doet het niet en ik moet ook toeslag aanvragen"


def _ranking(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def _with_threshold(threshold: float) -> Catalog:
    rules = CATALOG.two_questions
    assert rules is not None
    return replace(CATALOG, two_questions=replace(rules, threshold=threshold))


def _second(
    text: str, *pairs: tuple[str, float], answered: str = "digid_problemen", catalog: Catalog = CATALOG
):
    found = second_offer(catalog, text, _ranking(*pairs), catalog.topics[answered])
    return found[0].id if found is not None else None


def test_the_real_content_has_markers_and_a_threshold_between_zero_and_one():
    rules = CATALOG.two_questions
    assert rules is not None
    assert 0 < rules.threshold < 1 and rules.min_words >= 1
    assert {("en",), ("ook",), ("?",)} <= set(rules.markers)


# --- (a) the shape: a marker with words on both sides --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        TWO,
        "Mijn DigiD doet het niet. En hoe vraag ik toeslag aan?",
        "hoe werkt digid? hoe vraag ik toeslag aan",
        "digid kwijt; toeslag aanvragen",
        "digid kwijt daarnaast toeslag aanvragen",
        "digid kwijt. nog een vraag: toeslag aanvragen",
    ],
)
def test_a_marker_between_two_parts_is_the_shape_of_two_questions(text):
    assert CATALOG.two_questions is not None
    assert has_two_parts(text, CATALOG.two_questions)


@pytest.mark.parametrize(
    "text",
    [
        "hoe vraag ik toeslag aan?",  # a question mark at the end joins nothing
        "digid en toeslag",  # one word on each side is not two parts
        "mijn digid doet het niet",  # no marker at all
        "ik heb mijn wachtwoord vergeten",  # "en" inside a word is no marker
        "/toeslagen",  # a button payload
        '/digid_problemen{"x":"a en b en c"}',
    ],
)
def test_no_marker_with_two_parts_is_not_two_questions(text):
    assert CATALOG.two_questions is not None
    assert not has_two_parts(text, CATALOG.two_questions)


def test_a_message_without_two_parts_gets_no_offer_even_with_a_strong_runner_up():
    assert _second("mijn digid doet het niet", ("digid_problemen", 0.5), ("toeslagen", 0.45)) is None


# --- (b) the runner-up: a suggestable topic at or above the threshold ----------------------------------------


def test_the_runner_up_is_offered_when_it_is_strong_enough():
    assert _second(TWO, ("digid_problemen", 0.6), ("toeslagen", 0.35), ("email", 0.05)) == "toeslagen"


def test_the_threshold_is_inclusive_and_below_it_nothing_is_offered():
    catalog = _with_threshold(0.3)
    assert _second(TWO, ("digid_problemen", 0.7), ("toeslagen", 0.3), catalog=catalog) == "toeslagen"
    assert _second(TWO, ("digid_problemen", 0.71), ("toeslagen", 0.29), catalog=catalog) is None


def test_a_single_topic_message_with_en_gets_no_offer():
    # "en" and "ook" in a one-topic message: the runner-up is weak, as a trained model ranks it
    text = "mijn man en ik willen ook allebei een digid aanvragen"
    assert (
        _second(text, ("digid_aanvragen", 0.97), ("digid_machtigen", 0.02), answered="digid_aanvragen") is None
    )


def test_the_answered_topic_is_never_offered_again():
    # the ranking's best differing topic is looked at, so the answered one further down changes nothing
    ranking = (("toeslagen", 0.5), ("digid_problemen", 0.45))
    assert _second(TWO, *ranking, answered="toeslagen") == "digid_problemen"
    assert _second(TWO, ("digid_problemen", 0.99), answered="digid_problemen") is None


@pytest.mark.parametrize("runner_up", ["buiten_bereik", "nlu_fallback", "begroeting", "bedankt", "medewerker"])
def test_a_runner_up_that_is_no_suggestable_topic_gives_nothing(runner_up):
    # and the topic after it is not tried: the message is not two questions we can name
    ranking = (("digid_problemen", 0.5), (runner_up, 0.4), ("toeslagen", 0.1))
    assert _second("hallo, mijn digid doet het niet en hoe gaat het", *ranking) is None


def test_mechanics_intents_in_the_ranking_are_skipped():
    ranking = (("digid_problemen", 0.5), ("affirm", 0.3), ("toeslagen", 0.2))
    assert _second(TWO, *ranking) == "toeslagen"


@pytest.mark.parametrize("answered", ["buiten_bereik", "medewerker", "begroeting"])
def test_after_a_conversation_topic_nothing_is_offered(answered):
    assert _second(TWO, (answered, 0.5), ("toeslagen", 0.45), answered=answered) is None


def test_without_rules_nothing_is_offered():
    catalog = replace(CATALOG, two_questions=None)
    assert _second(TWO, ("digid_problemen", 0.5), ("toeslagen", 0.45), catalog=catalog) is None


def test_a_malformed_confidence_counts_as_zero():
    assert _second(TWO, ("digid_problemen", 0.5), ("toeslagen", "veel")) is None  # type: ignore[arg-type]


# --- the content file ---------------------------------------------------------------------------------------


def _problems(root: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_catalog(root)
    return str(info.value)


def _write(root: Path, text: str) -> None:
    (root / "two_questions.yml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "threshold: 1.5\nmin_words: 2\nmarkers: [en]\n",
            "field 'threshold': must be a number between 0 and 1",
        ),
        (
            "threshold: hoog\nmin_words: 2\nmarkers: [en]\n",
            "field 'threshold': must be a number between 0 and 1",
        ),
        ("threshold: 0.2\nmin_words: 0\nmarkers: [en]\n", "field 'min_words': must be a whole number"),
        ("threshold: 0.2\nmin_words: 2\nmarkers: []\n", "field 'markers': must list at least one marker"),
        ("threshold: 0.2\nmin_words: 2\nmarkers: ['...']\n", "field 'markers[0]': must be a word"),
        ("threshold: 0.2\nmin_words: 2\nmarkers: [en]\nextra: 1\n", "field 'extra': unknown field"),
        ("min_words: 2\nmarkers: [en]\n", "field 'threshold': is required"),
        (
            "threshold: 0.2\nmin_words: 2\nmarkers: [en]\npart_threshold: 1\npart_min_words: 4\n",
            "field 'part_threshold': must be a number between 0 and 1",
        ),
        (
            "threshold: 0.2\nmin_words: 2\nmarkers: [en]\npart_threshold: 0.7\npart_min_words: 0\n",
            "field 'part_min_words': must be a whole number",
        ),
        (
            "threshold: 0.2\nmin_words: 2\nmarkers: [en]\npart_min_words: 4\n",
            "field 'part_threshold': is required",
        ),
    ],
)
def test_a_broken_two_questions_file_names_file_and_field(content_copy, text, problem):
    _write(content_copy, text)
    assert f"knowledge/two_questions.yml: {problem}" in _problems(content_copy)


def test_a_missing_two_questions_file_is_reported(content_copy):
    (content_copy / "two_questions.yml").unlink()
    assert "knowledge/two_questions.yml: file is missing" in _problems(content_copy)


def test_markers_are_read_as_words(content_copy):
    _write(
        content_copy,
        "threshold: 0.25\nmin_words: 1\nmarkers: [Nog een vraag, '?']\n"
        "part_threshold: 0.6\npart_min_words: 3\n",
    )
    rules = load_catalog(content_copy).two_questions
    assert rules == TwoQuestionRules(
        threshold=0.25,
        min_words=1,
        markers=(("nog", "een", "vraag"), ("?",)),
        part_threshold=0.6,
        part_min_words=3,
    )


# --- the first part, which the NLU featurises once more (bot/nlu/first_part.py) ------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (TWO, "mijn digid doet het niet"),
        ("Mijn DigiD doet het niet. En hoe vraag ik toeslag aan?", "Mijn DigiD doet het niet."),
        ("hoe werkt digid? hoe vraag ik toeslag aan", "hoe werkt digid"),
        ("digid kwijt. nog een vraag: toeslag aanvragen", "digid kwijt."),
        # the earliest joining marker in the text, whichever marker it is
        ("digid kwijt; toeslag aanvragen en ook huurtoeslag", "digid kwijt"),
    ],
)
def test_the_first_part_ends_before_the_first_marker_that_joins_two_parts(text, first):
    assert CATALOG.two_questions is not None
    assert first_part(text, CATALOG.two_questions) == first


@pytest.mark.parametrize("text", ["digid kwijt", "digid en", "en toeslag aanvragen", "/toeslagen en ook digid"])
def test_without_two_parts_the_first_part_is_the_whole_message(text):
    assert CATALOG.two_questions is not None
    assert not has_two_parts(text, CATALOG.two_questions)
    assert first_part(text, CATALOG.two_questions) == text


def test_a_marker_too_close_to_the_start_does_not_split_but_a_later_one_does():
    rules = TwoQuestionRules(threshold=0.2, min_words=2, markers=(("en",),))
    assert first_part("jij en ik willen digid en toeslag aanvragen", rules) == "jij en ik willen digid"


# --- the later parts, each classified on its own (bot/nlu/second_part.py) -------------------------------------


def _offer(text: str, whole: list[tuple[str, float]], *parts: list[tuple[str, float]], answered: str):
    found = second_offer(
        CATALOG, text, _ranking(*whole), CATALOG.topics[answered], [_ranking(*part) for part in parts]
    )
    return found[0].id if found is not None else None


def test_a_later_part_starts_after_each_joining_marker_when_it_has_enough_words():
    rules = TwoQuestionRules(threshold=0.2, min_words=2, markers=(("en",), ("ook",)), part_min_words=4)
    text = "mijn man en ik willen een digid en ik wil ook weten hoe huurtoeslag werkt"
    starts = later_parts(text, rules)
    assert [text[start:] for start in starts] == [
        "ik willen een digid en ik wil ook weten hoe huurtoeslag werkt",
        "ik wil ook weten hoe huurtoeslag werkt",
        "weten hoe huurtoeslag werkt",
    ]
    # "toeslag aanvragen" after "ook" has two words: too short to classify on its own
    assert [TWO[s:] for s in later_parts(TWO, rules)] == ["ik moet ook toeslag aanvragen"]
    assert later_parts("/toeslagen en ook digid aanvragen bij de gemeente", rules) == []
    assert later_parts("hoe vraag ik huurtoeslag aan", rules) == []


def test_the_later_part_offers_a_topic_the_whole_message_hardly_ranks():
    whole = [("digid_problemen", 0.97), ("digid_aanvragen", 0.02), ("toeslagen", 0.002)]
    rules = CATALOG.two_questions
    assert rules is not None
    sure = [("toeslagen", rules.part_threshold + 0.01), ("wmo", 0.005)]
    unsure = [("toeslagen", rules.part_threshold - 0.01), ("wmo", 0.005)]
    assert _offer(TWO, whole, sure, answered="digid_problemen") == "toeslagen"
    # below the part threshold the whole message's runner-up decides, and 0.02 is below its threshold
    assert _offer(TWO, whole, unsure, answered="digid_problemen") is None


def test_a_later_part_about_the_answered_topic_offers_nothing():
    text = "mijn man en ik willen allebei een digid aanvragen"
    whole = [("digid_aanvragen", 0.99), ("digid_problemen", 0.005)]
    same = [("digid_aanvragen", 0.6), ("digid_problemen", 0.39)]
    assert _offer(text, whole, same, answered="digid_aanvragen") is None


def test_a_later_part_that_is_no_question_we_can_name_offers_nothing():
    text = "mijn digid doet het niet en ik weet echt niet hoe"
    whole = [("digid_problemen", 0.99)]
    assert _offer(text, whole, [("deny", 0.97), ("computer_basis", 0.9)], answered="digid_problemen") is None
    assert _offer(text, whole, [("begroeting", 0.95)], answered="digid_problemen") is None


def test_of_two_later_parts_the_more_confident_one_is_offered():
    text = "mijn digid doet het niet en ik wil ook weten hoe huurtoeslag werkt"
    whole = [("digid_problemen", 0.99)]
    parts = ([("email", 0.75)], [("toeslagen", 0.95)])
    assert _offer(text, whole, *parts, answered="digid_problemen") == "toeslagen"


def test_part_rankings_are_read_from_parse_data_and_anything_malformed_is_dropped():
    good = [{"name": "toeslagen", "confidence": 0.9}]
    parse = {PART_RANKINGS_KEY: [good, [], "x", [good[0], 3]]}
    assert part_rankings_of(parse) == [good, good]
    assert part_rankings_of({PART_RANKINGS_KEY: "toeslagen"}) == []
    assert part_rankings_of({}) == []
