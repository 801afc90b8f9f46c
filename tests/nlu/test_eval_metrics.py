"""The held-out scoring arithmetic on hand-made predictions, so the eval numbers can be trusted.

Pure Python: runs in both environments, needs no model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quality.nlu_eval import EvaluationError, fallback_settings, load_heldout, model_is_current
from quality.nlu_metrics import Prediction, decide, evaluate, render_table, to_topic


def _p(expected: str, predicted: str, *ranking: tuple[str, float]) -> Prediction:
    return Prediction(
        text=f"{expected}->{predicted}", expected=expected, ranking=ranking, predicted=to_topic(predicted)
    )


PREDICTIONS = [
    _p("email", "email", ("email", 0.9), ("privacy", 0.05)),
    _p("email", "privacy", ("privacy", 0.6), ("email", 0.3)),  # wrong, email is 2nd
    _p("privacy", "privacy", ("privacy", 0.95)),
    _p("buiten_bereik", "nlu_fallback", ("nlu_fallback", 0.5), ("email", 0.4), ("privacy", 0.3)),
    _p("buiten_bereik", "email", ("email", 0.7), ("privacy", 0.2), ("buiten_bereik", 0.1)),  # missed OOS
    _p("privacy", "nlu_fallback", ("nlu_fallback", 0.5), ("privacy", 0.45), ("email", 0.44)),  # false fallback
]


def test_fallback_counts_as_out_of_scope() -> None:
    assert to_topic("nlu_fallback") == "buiten_bereik"
    assert to_topic(None) == "buiten_bereik"
    assert to_topic("email") == "email"


def test_headline_numbers() -> None:
    result = evaluate(PREDICTIONS)
    assert result.messages == 6
    assert result.top1 == pytest.approx(3 / 6)
    # top-3 hits: email(1), email 2nd(2), privacy(3), fallback(4), oos 3rd(5), privacy 2nd after fallback(6)
    assert result.top3 == pytest.approx(6 / 6)
    # predicted buiten_bereik: rows 4 and 6, one correct; actual buiten_bereik: rows 4 and 5
    assert result.oos_precision == pytest.approx(1 / 2)
    assert result.oos_recall == pytest.approx(1 / 2)
    assert result.in_scope_fallback_rate == pytest.approx(1 / 4)


def test_per_topic_and_macro_f1() -> None:
    result = evaluate(PREDICTIONS)
    scores = {s.topic: s for s in result.per_topic}
    # email: predicted 2x (rows 1, 5), correct 1; actual 2 -> P 0.5, R 0.5
    assert (scores["email"].precision, scores["email"].recall) == (0.5, 0.5)
    # privacy: predicted 2x (rows 2, 3), correct 1; actual 2 -> P 0.5, R 0.5
    assert scores["privacy"].f1 == pytest.approx(0.5)
    assert result.macro_f1 == pytest.approx(0.5)


def test_confusions_list_each_pair_with_its_messages() -> None:
    result = evaluate(PREDICTIONS)
    pairs = {(e, p): n for e, p, n, _ in result.confusions}
    assert pairs == {("email", "privacy"): 1, ("buiten_bereik", "email"): 1, ("privacy", "buiten_bereik"): 1}
    assert "confusions" in render_table(result)


def test_threshold_what_if_uses_the_classifier_ranking() -> None:
    false_fallback = PREDICTIONS[5]
    assert decide(false_fallback, threshold=0.4, ambiguity=0.0) == "privacy"
    assert decide(false_fallback, threshold=0.4, ambiguity=0.05) == "buiten_bereik"  # 0.45 - 0.44 < 0.05
    rows = evaluate(PREDICTIONS, thresholds=(0.3, 0.8), ambiguity=0.0).threshold_sweep
    assert rows[1]["oos_recall"] == 1.0  # at 0.8 the 0.7 email guess falls back too


def test_empty_predictions_are_refused() -> None:
    with pytest.raises(ValueError, match="held-out set is empty"):
        evaluate([])


def test_heldout_loader_refuses_bad_files(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="no held-out files"):
        load_heldout(tmp_path)
    (tmp_path / "email.yml").write_text("topic: email\nmessages: ['']\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="non-empty text"):
        load_heldout(tmp_path)


def test_model_is_current_compares_with_the_newest_training_file(tmp_path: Path) -> None:
    import os

    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text("pipeline: []\n", encoding="utf-8")
    (tmp_path / "data" / "x.yml").write_text("nlu: []\n", encoding="utf-8")
    model = tmp_path / "model.tar.gz"
    assert not model_is_current(model, tmp_path)
    model.write_bytes(b"x")
    os.utime(tmp_path / "data" / "x.yml", (1_000, 1_000))
    os.utime(tmp_path / "config.yml", (1_000, 1_000))
    os.utime(model, (2_000, 2_000))
    assert model_is_current(model, tmp_path)
    os.utime(tmp_path / "data" / "x.yml", (3_000, 3_000))
    assert not model_is_current(model, tmp_path)


def test_fallback_settings_come_from_the_real_config() -> None:
    root = Path(__file__).resolve().parents[2]
    threshold, ambiguity = fallback_settings(root / "config.yml")
    assert 0.0 < threshold < 1.0 and 0.0 <= ambiguity < 1.0


def test_calibration_takes_the_best_top1_then_the_better_out_of_scope_scores_then_the_lower_threshold() -> None:
    from quality.nlu_metrics import calibrated_threshold

    rows = [
        {"threshold": 0.1, "top1_accuracy": 0.90, "oos_precision": 0.5, "oos_recall": 0.5},
        {"threshold": 0.2, "top1_accuracy": 0.95, "oos_precision": 0.6, "oos_recall": 0.8},
        {"threshold": 0.3, "top1_accuracy": 0.95, "oos_precision": 0.7, "oos_recall": 0.9},
        {"threshold": 0.4, "top1_accuracy": 0.95, "oos_precision": 0.7, "oos_recall": 0.9},
        {"threshold": 0.5, "top1_accuracy": 0.93, "oos_precision": 0.9, "oos_recall": 1.0},
    ]
    assert calibrated_threshold(rows) == 0.3
    with pytest.raises(ValueError):
        calibrated_threshold([])
