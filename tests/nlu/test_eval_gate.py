"""Build gate on the real trained model: the held-out top-1 accuracy is at least 0.90 and the
out-of-scope recall (buiten_bereik, nlu_fallback included) at least 0.80.

Rasa environment (Python 3.10); needs models/wegwijzer.tar.gz, which ``make test-eval-gate`` builds
first. The done-when goals (top-1 0.95, top-3 0.99, macro-F1 0.95, OOS recall 0.90 at precision 0.90)
are reported by ``make eval``, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quality.nlu_eval import PRODUCTION_MODEL, ROOT, model_is_current, run_evaluation
from quality.nlu_metrics import Evaluation, render_table

pytestmark = [pytest.mark.slow, pytest.mark.rasa_env]

pytest.importorskip("rasa", reason="runs in the Rasa environment (.venv-rasa)")

MIN_TOP1 = 0.90
MIN_OOS_RECALL = 0.80


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    model: Path = ROOT / PRODUCTION_MODEL
    if not model.is_file():
        pytest.fail(f"{PRODUCTION_MODEL} is missing: run `make train` (make test-eval-gate does it)")
    if not model_is_current(model, ROOT):
        pytest.fail(f"{PRODUCTION_MODEL} is older than data/ or config.yml: run `make train`")
    return run_evaluation(model, ROOT)


def test_heldout_top1_accuracy(evaluation: Evaluation) -> None:
    assert evaluation.top1 >= MIN_TOP1, "\n" + render_table(evaluation)


def test_heldout_out_of_scope_recall(evaluation: Evaluation) -> None:
    assert evaluation.oos_recall >= MIN_OOS_RECALL, "\n" + render_table(evaluation)


def test_every_heldout_message_was_scored(evaluation: Evaluation) -> None:
    assert evaluation.messages >= 10 * len(evaluation.per_topic)
