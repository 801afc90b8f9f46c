"""The two-questions calibration (quality/two_questions_eval.py) on made-up predictions, and the slice itself:
big enough, known topic ids, and never a training example. No model needed; runs in both environments.
"""

from __future__ import annotations

from pathlib import Path

from knowledge import load_catalog
from quality.nlu_metrics import Prediction
from quality.two_questions_eval import CALIBRATION_FILE, Case, load_slice, recommend, score, sweep
from scripts import check_nlu_overlap

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
TWO = "mijn digid doet het niet en ik moet ook toeslag aanvragen"
SINGLE = "mijn man en ik willen allebei een digid aanvragen"


def _prediction(text: str, *ranking: tuple[str, float]) -> Prediction:
    return Prediction(text=text, expected="-", ranking=tuple(ranking), predicted=ranking[0][0])


def test_scoring_counts_right_and_wrong_offers_in_either_order():
    asked = ("digid_problemen", "toeslagen")
    two = [
        # answered the second topic first and offered the first: right
        (Case(TWO, asked), _prediction(TWO, ("toeslagen", 0.5), ("digid_problemen", 0.4))),
        # offered a topic that was not asked: wrong
        (Case(TWO, asked), _prediction(TWO, ("digid_problemen", 0.5), ("email", 0.4))),
        # nothing offered: neither
        (Case(TWO, asked), _prediction(TWO, ("digid_problemen", 0.99))),
        # the message check waits for a message: never an offer
        (
            Case(TWO, ("bericht_controleren", "toeslagen")),
            _prediction(TWO, ("bericht_controleren", 0.5), ("toeslagen", 0.4)),
        ),
    ]
    one = ("digid_aanvragen",)
    single = [
        (Case(SINGLE, one), _prediction(SINGLE, ("digid_aanvragen", 0.7), ("digid_machtigen", 0.3))),
        (Case(SINGLE, one), _prediction(SINGLE, ("digid_aanvragen", 0.9), ("digid_machtigen", 0.1))),
    ]
    swept = sweep(CATALOG, two, single, (0.05, 0.2, 0.35, 0.5), part_thresholds=(0.5,))
    rows = {row["threshold"]: row for row in swept}
    assert rows[0.2] == {
        "threshold": 0.2,
        "part_threshold": 0.5,
        "two_right_offered": 0.25,
        "two_wrong_offered": 0.25,
        "single_wrong_offered": 0.5,
    }
    assert rows[0.05]["single_wrong_offered"] == 1.0
    assert rows[0.35]["single_wrong_offered"] == 0.0 and rows[0.35]["two_right_offered"] == 0.25
    assert rows[0.5]["two_right_offered"] == 0.0
    assert recommend(list(rows.values())) == (0.35, 0.5)
    assert score(CATALOG, two, single) == score(CATALOG, two, single)  # pure


def test_recommend_prefers_more_right_offers_then_fewer_wrong_then_the_higher_threshold():
    rows = [
        {"threshold": 0.1, "two_right_offered": 0.6, "two_wrong_offered": 0.1, "single_wrong_offered": 0.1},
        {"threshold": 0.2, "two_right_offered": 0.4, "two_wrong_offered": 0.1, "single_wrong_offered": 0.05},
        {"threshold": 0.3, "two_right_offered": 0.4, "two_wrong_offered": 0.0, "single_wrong_offered": 0.0},
        {"threshold": 0.4, "two_right_offered": 0.4, "two_wrong_offered": 0.0, "single_wrong_offered": 0.0},
    ]
    rows = [{**row, "part_threshold": 0.7} for row in rows]
    assert recommend(rows, max_wrong_single=0.05) == (0.4, 0.7)
    assert recommend(rows[:1], max_wrong_single=0.05) is None
    # between equal rows the higher part threshold wins first
    assert recommend([*rows, {**rows[2], "part_threshold": 0.9}], max_wrong_single=0.05) == (0.3, 0.9)
    # the default allows 10 % wrong offers on one-question messages: then the row with most right offers wins
    assert recommend(rows) == (0.1, 0.7)


def test_the_later_part_offers_its_own_topic_from_its_threshold_on():
    """The part rule finds a second question the whole message's ranking does not rank at all."""
    prediction = Prediction(
        text=TWO,
        expected="-",
        ranking=(("digid_problemen", 0.97), ("digid_aanvragen", 0.02)),
        predicted="digid_problemen",
        part_rankings=((("toeslagen", 0.8), ("wmo", 0.1)),),
    )
    two = [(Case(TWO, ("digid_problemen", "toeslagen")), prediction)]
    single = [(Case(SINGLE, ("digid_aanvragen",)), _prediction(SINGLE, ("digid_aanvragen", 0.99)))]
    rows = {row["part_threshold"]: row for row in sweep(CATALOG, two, single, (0.5,), (0.7, 0.85))}
    assert rows[0.7]["two_right_offered"] == 1.0
    assert rows[0.85]["two_right_offered"] == 0.0


def test_the_calibration_slice_is_big_enough_and_uses_known_topics():
    two, single = load_slice(ROOT / CALIBRATION_FILE, set(CATALOG.topics))
    assert len(two) >= 40 and len(single) >= 40
    assert {t for case in two for t in case.topics} <= {t.id for t in CATALOG.topics.values() if t.suggest}


def test_no_calibration_message_is_a_training_example():
    overlap = check_nlu_overlap
    training = {
        overlap.compact(e.text) for e in overlap.load_training(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
    }
    two, single = load_slice(ROOT / CALIBRATION_FILE, set(CATALOG.topics))
    leaks = [case.text for case in [*two, *single] if overlap.compact(case.text) in training]
    assert not leaks, leaks
