"""Evaluate the NLU on the held-out sets (``make eval``, Rasa environment): tests/nlu/heldout, written by the
team, and tests/nlu/blind and blind2 to blind6, each written blind from the topic texts alone by another
writer; prints each and the gap.

Reports top-1 and top-3 accuracy, macro-F1, per-topic F1, the confusions and out-of-scope precision and
recall (buiten_bereik; nlu_fallback counts as buiten_bereik), prints a table and writes
results/eval.json. It reuses models/wegwijzer.tar.gz when that model is newer than data/ and config.yml,
and otherwise trains an NLU-only model on data/nlu into a temporary folder (see quality/nlu_eval.py).

Usage::

    .venv-rasa/bin/python -m scripts.eval_nlu [--model PATH | --train] [--out results/eval.json]

Exit status: 0 when the evaluation ran (this script reports, the test gate asserts), 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from knowledge import Catalog, load_catalog
from quality.nlu_eval import (
    BLIND2_DIR,
    BLIND3_DIR,
    BLIND4_DIR,
    BLIND5_DIR,
    BLIND6_DIR,
    BLIND_DIR,
    BLIND_SETS,
    HELDOUT_DIR,
    PRODUCTION_MODEL,
    ROOT,
    EvaluationError,
    evaluate_predictions,
    fallback_settings,
    load_messages,
    model_is_current,
    predict_set,
    second_labels,
    train_nlu_model,
)
from quality.nlu_metrics import Evaluation, Prediction, calibrated_threshold, render_table
from quality.two_questions_eval import blind_offers
from scripts.results import write_result

GAP_FINDING_POINTS = 3.0  # a larger gap between the two sets is a finding to write down (issue 10)


def per_register(predictions: list[Prediction], registers: list[str]) -> dict[str, dict[str, float]]:
    """Top-1 accuracy per register of the blind set (plain, typo, spoken, nt2, dialect, ...)."""
    totals: dict[str, list[int]] = {}
    for prediction, register in zip(predictions, registers, strict=True):
        hit = int(prediction.predicted == prediction.expected)
        totals.setdefault(register, [0, 0])
        totals[register][0] += hit
        totals[register][1] += 1
    return {name: {"top1": round(h / n, 3), "messages": n} for name, (h, n) in sorted(totals.items())}


BlindFigures = tuple[Evaluation, dict[str, dict[str, float]], dict[str, Any]]


def _blind_figures(model: Path, directory: Path, catalog: Catalog) -> BlindFigures:
    """One blind set's figures, its top-1 per register and the second-question offers."""
    predictions = predict_set(model, ROOT, directory)
    registers = [register for _, _, register in load_messages(ROOT / directory)]
    offers = blind_offers(catalog, predictions, second_labels(ROOT / directory))
    return evaluate_predictions(predictions, ROOT), per_register(predictions, registers), offers


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; see the module docstring."""
    parser = argparse.ArgumentParser(description="Held-out NLU evaluation.")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--model", type=Path, help="evaluate this model file as it is")
    choice.add_argument("--train", action="store_true", help="always train a fresh NLU-only model")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "eval.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wegwijzer-eval-") as tmp:
        try:
            if args.model is not None:
                if not args.model.is_file():
                    raise EvaluationError(f"{args.model}: no such model file")
                model, origin = args.model, "given"
            elif not args.train and model_is_current(ROOT / PRODUCTION_MODEL, ROOT):
                model, origin = ROOT / PRODUCTION_MODEL, "reused (newer than data/ and config.yml)"
            else:
                print("training an NLU-only model on data/nlu (takes a few minutes) ...", flush=True)
                started = time.monotonic()
                model = train_nlu_model(ROOT, Path(tmp))
                origin = f"trained on data/nlu in {time.monotonic() - started:.0f} s"
            started = time.monotonic()
            evaluation = evaluate_predictions(predict_set(model, ROOT, HELDOUT_DIR), ROOT)
            catalog = load_catalog()  # once: every blind set is scored against the same content
            blind_sets = {name: _blind_figures(model, d, catalog) for name, d in BLIND_SETS.items()}
            seconds = time.monotonic() - started
        except EvaluationError as exc:
            print(f"ERROR {exc}", file=sys.stderr)
            return 2

    print(f"model: {model} ({origin}); parsed in {seconds:.1f} s\n")
    print(f"== old held-out set ({HELDOUT_DIR}, written by the team)")
    print(render_table(evaluation))
    titles = {
        "blind": f"blind set ({BLIND_DIR}, written from the topic descriptions alone)",
        "blind2": f"second blind set ({BLIND2_DIR}, a second writer, 2026-12-02; nothing was chosen on it)",
        "blind3": f"third blind set ({BLIND3_DIR}, a third writer, 2026-12-02, today's 36 topic ids)",
        "blind4": f"fourth blind set ({BLIND4_DIR}, a fourth writer, 2026-12-03)",
        "blind5": f"fifth blind set ({BLIND5_DIR}, a fifth writer, 2026-12-03)",
        "blind6": f"sixth blind set ({BLIND6_DIR}, a sixth writer, 2026-12-03)",
    }
    for name, (figures, registers_top1, offers) in blind_sets.items():
        print(f"\n== {titles[name]}")
        print(render_table(figures, show_texts=False))
        print(
            f"\ntop-1 per register ({name}): "
            + ", ".join(f"{k} {v['top1']:.3f} ({v['messages']})" for k, v in registers_top1.items())
        )
        print(
            f"second question ({name}): right one offered {offers['two_right_offered']:.3f}, a wrong one"
            f" {offers['two_wrong_offered']:.3f}, of {offers['two_questions']} two-question messages;"
            f" a button on {offers['single_wrong_offered']:.3f} of {offers['single_with_marker']}"
            " one-question messages with a marker"
        )
    blind = blind_sets["blind"][0]
    gap = round(100 * (evaluation.top1 - blind.top1), 1)
    verdict = "a finding: write it down and act on it" if gap > GAP_FINDING_POINTS else "within 3 points"
    print(f"gap in top-1, old minus blind: {gap} points ({verdict})")
    configured, _ = fallback_settings(ROOT / "config.yml")
    calibrated = calibrated_threshold(evaluation.threshold_sweep)
    print(
        f"fallback threshold: {configured} in config.yml; {calibrated} calibrated on the old held-out set "
        "(the blind set is never used to choose it)"
    )
    report = {
        "model": str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else str(model),
        "model_origin": origin,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **evaluation.to_dict(),
        **{
            name: {**figures.to_dict(), "per_register": regs, "second_question": offers}
            for name, (figures, regs, offers) in blind_sets.items()
        },
        "gap_top1_points": gap,
        "fallback_threshold": {"configured": configured, "calibrated_on_old_set": calibrated},
    }
    print()
    write_result(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
