"""Time per message of knowledge.pii.mask_pii on tests/pii/corpus.yml (a benchmark, not a test).

Masking runs on Rasa's event loop for every message, so its cost per message is reported in
docs/privacy.md. Usage: ``python -m scripts.pii_bench [--repeat N]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from knowledge.pii import mask_pii

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "pii" / "corpus.yml"


def main() -> None:
    """Print the median and worst time per message over ``--repeat`` passes of the corpus."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = [m["text"] for m in yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]]
    per_pass: list[float] = []
    worst = 0.0
    for _ in range(args.repeat):
        started = time.perf_counter()
        for text in texts:
            one = time.perf_counter()
            mask_pii(text)
            worst = max(worst, time.perf_counter() - one)
        per_pass.append((time.perf_counter() - started) / len(texts))
    per_pass.sort()
    median = per_pass[len(per_pass) // 2]
    print(f"{len(texts)} messages, median {median * 1e3:.3f} ms/message, worst {worst * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
