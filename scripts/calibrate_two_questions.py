"""Calibrate the threshold for "two questions in one message" on a trained model (Rasa environment).

Parses every message of tests/nlu/two_questions/calibration.yml in-process with the model (the way
quality/nlu_eval.py does), then sweeps both thresholds of knowledge/two_questions.yml together (``threshold``
for the whole message's runner-up, ``part_threshold`` for a later part's own topic) and prints the share of
two-question messages that get the right second topic offered and the share of one-question messages that
wrongly get one. It recommends the pair with the most right offers while at most 5 % of the one-question
messages get a wrong one, and writes everything to a small JSON file.

Usage::

    .venv-rasa/bin/python -m scripts.calibrate_two_questions [MODEL] [--out results/two-questions.json]

MODEL defaults to models/wegwijzer.tar.gz. Rerun after every retraining and copy the recommended values into
knowledge/two_questions.yml (docs/quality.md, "Two questions in one message"). Exit status 0 when it ran, 2 when
it cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from knowledge import load_catalog
from quality.nlu_eval import PRODUCTION_MODEL, ROOT, EvaluationError, predict
from quality.two_questions_eval import (
    CALIBRATION_FILE,
    MAX_WRONG_SINGLE,
    CalibrationError,
    details,
    load_slice,
    recommend,
    score,
    sweep,
)
from scripts.results import write_result


def main(argv: list[str] | None = None) -> int:
    """Run the calibration; see the module docstring."""
    parser = argparse.ArgumentParser(description="Calibrate the two-questions threshold on a trained model.")
    parser.add_argument("model", nargs="?", type=Path, default=ROOT / PRODUCTION_MODEL)
    parser.add_argument("--slice", type=Path, default=ROOT / CALIBRATION_FILE, help="the calibration slice")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "two-questions.json")
    args = parser.parse_args(argv)

    catalog = load_catalog()
    rules = catalog.two_questions
    try:
        if not args.model.is_file():
            raise EvaluationError(f"{args.model}: no such model file")
        two, single = load_slice(args.slice, set(catalog.topics))
        started = time.monotonic()
        cases = [*two, *single]
        predictions = asyncio.run(predict(args.model, [(c.topics[0], c.text) for c in cases], ROOT))
        seconds = time.monotonic() - started
    except (EvaluationError, CalibrationError, OSError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    assert rules is not None  # load_catalog raises when two_questions.yml is broken
    two_pairs = list(zip(two, predictions[: len(two)], strict=True))
    single_pairs = list(zip(single, predictions[len(two) :], strict=True))
    rows = sweep(catalog, two_pairs, single_pairs)
    best = recommend(rows)
    current = score(catalog, two_pairs, single_pairs)
    answered_one = sum(1 for c, p in two_pairs if p.predicted in c.topics) / len(two_pairs)
    single_top1 = sum(1 for c, p in single_pairs if p.predicted == c.topics[0]) / len(single_pairs)

    print(f"model: {args.model} (modified {time.ctime(args.model.stat().st_mtime)}); parsed in {seconds:.1f} s")
    print(f"slice: {args.slice}: {len(two)} two-question and {len(single)} one-question messages")
    print(f"two-question messages answered with one of their two topics: {answered_one:.3f}")
    print(f"one-question messages answered with their topic: {single_top1:.3f}\n")
    chosen = best if best is not None else (rules.threshold, rules.part_threshold)
    configured = (rules.threshold, rules.part_threshold)
    print("runner-up  later part  two: right offered  two: wrong offered  one: wrongly offered")
    for row in rows:
        pair = (row["threshold"], row["part_threshold"])
        # the chosen pair's row and column of the sweep, and the configured pair
        if pair[1] != chosen[1] and pair[0] != chosen[0] and pair != configured:
            continue
        mark = "  <- recommended" if pair == best else ""
        if pair == configured:
            mark += "  (knowledge/two_questions.yml)"
        print(
            f"{pair[0]:9.2f}  {pair[1]:10.2f}  {row['two_right_offered']:19.3f}"
            f"  {row['two_wrong_offered']:18.3f}  {row['single_wrong_offered']:20.3f}{mark}"
        )
    if best is None:
        print(f"\nno thresholds keep wrong offers on one-question messages at or below {MAX_WRONG_SINGLE:.0%}")
    else:
        print(
            f"\nrecommended: threshold {best[0]}, part_threshold {best[1]}"
            f" (wrong offers on one-question messages <= {MAX_WRONG_SINGLE:.0%})"
        )
    report = {
        "model": str(args.model.relative_to(ROOT)) if args.model.is_relative_to(ROOT) else str(args.model),
        "model_modified": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(args.model.stat().st_mtime)),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "slice": str(args.slice.relative_to(ROOT)) if args.slice.is_relative_to(ROOT) else str(args.slice),
        "messages": {"two_questions": len(two), "single_questions": len(single)},
        "min_words": rules.min_words,
        "markers": [" ".join(marker) for marker in rules.markers],
        "max_wrong_single": MAX_WRONG_SINGLE,
        "two_answered_with_one_of_both": round(answered_one, 3),
        "single_top1": round(single_top1, 3),
        "part_min_words": rules.part_min_words,
        "configured_threshold": rules.threshold,
        "configured_part_threshold": rules.part_threshold,
        "at_configured_threshold": current,
        "recommended_threshold": best[0] if best is not None else None,
        "recommended_part_threshold": best[1] if best is not None else None,
        "sweep": rows,
        "per_message": {
            "two_questions": details(catalog, two_pairs),
            "single_questions": details(catalog, single_pairs),
        },
    }
    write_result(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
