"""Build gate on the real trained model, on the team's set and the six blind sets.

The team's held-out set: top-1 at least 0.90, out-of-scope recall (buiten_bereik, nlu_fallback included) at
least 0.80. The six blind sets (tests/nlu/blind, blind2 to blind6, written without sight of the
training data): a regression gate at the figures measured when this gate was last raised, minus a margin for
the run-to-run spread of training (BENCHMARKS.md, "NLU quality"). The issue's goals on the blind sets (top-1
0.95, top-3 0.99, macro-F1 0.95, out-of-scope precision and recall 0.90) are not reached yet; a gate at the
goals would fail every build, so the goals are reported by ``make eval`` and this gate is raised as the model
improves.

Rasa environment (Python 3.10); needs models/wegwijzer.tar.gz, which ``make test-eval-gate`` builds first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import load_catalog
from quality.nlu_eval import (
    BLIND_SETS,
    PRODUCTION_MODEL,
    ROOT,
    evaluate_predictions,
    fallback_settings,
    model_is_current,
    predict_set,
    run_evaluation,
    second_labels,
)
from quality.nlu_metrics import Evaluation, Prediction, calibrated_threshold, render_table
from quality.two_questions_eval import blind_offers
from tests.ci_support import require_module

pytestmark = [pytest.mark.slow, pytest.mark.rasa_env]

require_module("rasa", "RASA ENVIRONMENT NEEDED: run with .venv-rasa/bin/python")

MIN_TOP1 = 0.90
MIN_OOS_RECALL = 0.80

CALIBRATION_TOLERANCE = 0.05  # one step of the sweep: near-equal top-1 at neighbouring thresholds

# The six blind sets, measured 2026-12-03 15:02 on the model with the second-part classifier, the fourth
# phrasings round and the fallback threshold recalibrated to 0.45 on the team's set
# (docs/results/eval-nlu.json), minus BLIND_MARGIN. Against the floors of 13:06, top-1, macro-F1 and
# out-of-scope recall rose on every set; out-of-scope precision fell on five (blind3 0.946 -> 0.895, blind5
# 0.879 -> 0.843): the higher fallback threshold sends more in-scope questions to "niet begrepen" and fewer
# everyday ones to a topic, and the floors were lowered with it (BENCHMARKS.md, "The second question on its
# own, and a sixth blind set").
BLIND_MARGIN = 0.03
BLIND_MEASURED = {
    "blind": {"top1": 0.884, "top3": 0.980, "macro_f1": 0.898, "oos_precision": 0.835, "oos_recall": 0.913},
    "blind2": {"top1": 0.874, "top3": 0.976, "macro_f1": 0.886, "oos_precision": 0.869, "oos_recall": 0.869},
    "blind3": {"top1": 0.914, "top3": 0.968, "macro_f1": 0.919, "oos_precision": 0.895, "oos_recall": 0.895},
    "blind4": {"top1": 0.881, "top3": 0.969, "macro_f1": 0.883, "oos_precision": 0.896, "oos_recall": 0.864},
    "blind5": {"top1": 0.885, "top3": 0.981, "macro_f1": 0.900, "oos_precision": 0.843, "oos_recall": 0.811},
    # The sixth, first measured on this model (and on the model of 13:05 before it).
    "blind6": {"top1": 0.893, "top3": 0.966, "macro_f1": 0.894, "oos_precision": 0.879, "oos_recall": 0.852},
}
# The second-question button on the blind sets' own two-question messages (right offers) and on their
# one-question messages with a marker (a button offered at all), measured at the same time; 35 to 62
# two-question messages per set, so a wider margin. Thresholds are chosen on the calibration slice, never here.
SECOND_MARGIN = 0.08
SECOND_MEASURED = {
    "blind": {"two_right_offered": 0.537, "single_wrong_offered": 0.089},
    "blind2": {"two_right_offered": 0.489, "single_wrong_offered": 0.096},
    "blind3": {"two_right_offered": 0.714, "single_wrong_offered": 0.072},
    "blind4": {"two_right_offered": 0.532, "single_wrong_offered": 0.080},
    "blind5": {"two_right_offered": 0.559, "single_wrong_offered": 0.035},
    "blind6": {"two_right_offered": 0.700, "single_wrong_offered": 0.076},
}
GATED = [(name, metric) for name, figures in BLIND_MEASURED.items() for metric in sorted(figures)]


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    model: Path = ROOT / PRODUCTION_MODEL
    if not model.is_file():
        pytest.fail(f"{PRODUCTION_MODEL} is missing: run `make train` (make test-eval-gate does it)")
    if not model_is_current(model, ROOT):
        pytest.fail(f"{PRODUCTION_MODEL} is older than data/ or config.yml: run `make train`")
    return run_evaluation(model, ROOT)


@pytest.fixture(scope="module")
def blind_predictions(evaluation: Evaluation) -> dict[str, list[Prediction]]:
    model = ROOT / PRODUCTION_MODEL
    return {name: predict_set(model, ROOT, directory) for name, directory in BLIND_SETS.items()}


@pytest.fixture(scope="module")
def blind_sets(blind_predictions: dict[str, list[Prediction]]) -> dict[str, Evaluation]:
    return {name: evaluate_predictions(found, ROOT) for name, found in blind_predictions.items()}


def test_heldout_top1_accuracy(evaluation: Evaluation) -> None:
    assert evaluation.top1 >= MIN_TOP1, "\n" + render_table(evaluation)


def test_heldout_out_of_scope_recall(evaluation: Evaluation) -> None:
    assert evaluation.oos_recall >= MIN_OOS_RECALL, "\n" + render_table(evaluation)


def test_the_fallback_threshold_is_the_one_calibrated_on_the_old_set(evaluation: Evaluation) -> None:
    # Calibrated on the team's set, reported on the blind set: a retrained model with other confidences must
    # come with its own threshold (config.yml), or this fails.
    configured, _ = fallback_settings(ROOT / "config.yml")
    calibrated = calibrated_threshold(evaluation.threshold_sweep)
    assert abs(configured - calibrated) <= CALIBRATION_TOLERANCE, (
        f"config.yml has {configured}, the old held-out set calibrates to {calibrated}"
    )


def test_every_heldout_message_was_scored(evaluation: Evaluation) -> None:
    assert evaluation.messages >= 10 * len(evaluation.per_topic)


@pytest.mark.parametrize(("blind_set", "metric"), GATED)
def test_blind_sets_do_not_regress(blind_sets: dict[str, Evaluation], blind_set: str, metric: str) -> None:
    figures = blind_sets[blind_set]
    floor = BLIND_MEASURED[blind_set][metric] - BLIND_MARGIN
    assert getattr(figures, metric) >= floor, f"{blind_set} {metric} below {floor:.3f}\n" + render_table(
        figures, show_texts=False
    )


@pytest.mark.parametrize("blind_set", sorted(SECOND_MEASURED))
def test_second_question_offers_do_not_regress(
    blind_predictions: dict[str, list[Prediction]], blind_set: str
) -> None:
    offers = blind_offers(
        load_catalog(), blind_predictions[blind_set], second_labels(ROOT / BLIND_SETS[blind_set])
    )
    measured = SECOND_MEASURED[blind_set]
    assert offers["two_questions"] >= 30, offers
    assert offers["two_right_offered"] >= measured["two_right_offered"] - SECOND_MARGIN, offers
    assert offers["single_wrong_offered"] <= measured["single_wrong_offered"] + SECOND_MARGIN, offers


def test_every_blind_message_was_scored(blind_sets: dict[str, Evaluation]) -> None:
    assert blind_sets["blind"].messages >= 600
    assert blind_sets["blind2"].messages >= 700
    assert blind_sets["blind3"].messages >= 540
    assert blind_sets["blind4"].messages >= 700
    assert blind_sets["blind5"].messages >= 660
    assert blind_sets["blind6"].messages >= 660
