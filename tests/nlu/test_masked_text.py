"""The trained model still classifies messages after their names and addresses are masked.

Channels mask personal data before Rasa sees it (knowledge/pii.py), so "Ik ben Jan de Vries. Mijn DigiD
werkt niet" reaches the model as "Ik ben [NAAM]. Mijn DigiD werkt niet". Each held-out message gets a
name or an address the way residents add them (an introduction, a signature, where they live) and is
masked as a channel would. Gates: every variant is really masked (this fails when name or address
masking is removed), and masking never costs top-1 against leaving the name in; an absolute floor per
variant at the figures measured on 2026-12-02 (docs/privacy.md) minus a margin catches a regression.

Rasa environment (Python 3.10); needs a current models/wegwijzer.tar.gz, which ``make test-eval-gate`` builds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from knowledge.pii import ADRES, NAAM, mask_pii, placeholder
from quality.nlu_eval import HELDOUT_DIR, PRODUCTION_MODEL, ROOT, load_heldout, model_is_current, predict
from quality.nlu_metrics import Prediction
from tests.ci_support import require_module

pytestmark = [pytest.mark.slow, pytest.mark.rasa_env]

require_module("rasa", "RASA ENVIRONMENT NEEDED: run with .venv-rasa/bin/python")

# Variant -> top-1 on the team's held-out set after masking, measured 2026-12-02 (412 messages).
MEASURED = {
    "Ik ben Jan de Vries. {}": 0.900,
    "{} Met vriendelijke groet, Piet Smeets": 0.891,
    "Mijn naam is Fatima el Amrani, {}": 0.772,
    "{} Ik woon op de Kerkstraat 12.": 0.888,
}
MARGIN = 0.03  # the run-to-run spread of training (BENCHMARKS.md, "NLU quality")
# Masking may cost at most this much top-1 against the same text with the name left in.
MAX_COST_OF_MASKING = 0.02


def _top1(predictions: list[Prediction]) -> float:
    return sum(p.predicted == p.expected for p in predictions) / len(predictions)


@pytest.fixture(scope="module")
def scores() -> dict[str, tuple[float, float]]:
    """Variant -> (top-1 with the name left in, top-1 after masking), in one model load."""
    model: Path = ROOT / PRODUCTION_MODEL
    if not model.is_file():
        pytest.fail(f"{PRODUCTION_MODEL} is missing: run `make train` (make test-eval-gate does it)")
    if not model_is_current(model, ROOT):
        pytest.fail(f"{PRODUCTION_MODEL} is older than data/ or config.yml: run `make train`")
    heldout = load_heldout(ROOT / HELDOUT_DIR)
    texts: list[tuple[str, str]] = []
    for variant in MEASURED:
        raw = [(topic, variant.format(text)) for topic, text in heldout]
        texts += raw + [(topic, mask_pii(text).text) for topic, text in raw]
    predictions = asyncio.run(predict(model, texts, ROOT))
    size = len(heldout)
    result = {}
    for index, variant in enumerate(MEASURED):
        start = 2 * index * size
        result[variant] = (
            _top1(predictions[start : start + size]),
            _top1(predictions[start + size : start + 2 * size]),
        )
    return result


@pytest.mark.parametrize("variant", sorted(MEASURED))
def test_every_variant_is_masked(variant: str) -> None:
    for _, text in load_heldout(ROOT / HELDOUT_DIR):
        masked = mask_pii(variant.format(text)).text
        assert placeholder(NAAM) in masked or placeholder(ADRES) in masked, masked


@pytest.mark.parametrize("variant", sorted(MEASURED))
def test_masking_costs_no_accuracy(scores: dict[str, tuple[float, float]], variant: str) -> None:
    raw, masked = scores[variant]
    assert masked >= raw - MAX_COST_OF_MASKING, f"{variant!r}: {raw:.3f} with the name, {masked:.3f} masked"


@pytest.mark.parametrize("variant", sorted(MEASURED))
def test_masked_messages_still_classify(scores: dict[str, tuple[float, float]], variant: str) -> None:
    _, masked = scores[variant]
    floor = MEASURED[variant] - MARGIN
    assert masked >= floor, f"{variant!r}: top-1 {masked:.3f} after masking, floor {floor:.3f}"
