"""Bags of lemmas and their character n-grams over a stretch of a message, for the two-questions components.

Why one module: ``first_part.FirstPartFeaturizer`` counts the first question's words and
``second_part.SecondPartClassifier`` classifies each later question on its own; both need the same features of
a stretch of the tokenizer's tokens and the same two-question rules stored with the model, so that a running bot
reads a message exactly as it was trained.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token

from knowledge.two_questions import FILE_NAME, TwoQuestionRules

WORD, CHAR = "w:", "c:"  # prefixes of the two kinds of feature names in a stored vocabulary


def feature_names(lemmas: Iterable[str], char_sizes: range) -> list[str]:
    """Each lemma (``w:``) and its character n-grams of the sizes in ``char_sizes`` (``c:``).

    The n-grams stay within a word with its edges marked, as scikit-learn's ``char_wb`` analyzer does.
    """
    names = []
    for lemma in lemmas:
        names.append(WORD + lemma)
        padded = f" {lemma} "
        for size in char_sizes:
            names.extend(CHAR + padded[i : i + size] for i in range(len(padded) - size + 1))
    return names


def lemmas_between(tokens: Sequence[Token], start: int, end: int | None = None) -> list[str]:
    """Lower-case lemmas of the tokens that start at or after ``start`` and before ``end`` (None: the end)."""
    return [
        (token.lemma or token.text).lower()
        for token in tokens
        if token.start >= start and (end is None or token.start < end)
    ]


def vocabulary(name_lists: Iterable[Iterable[str]], char_min_df: int) -> list[str]:
    """The sorted feature names to keep: every lemma, and the n-grams seen in ``char_min_df`` lists or more."""
    seen: Counter[str] = Counter()
    for names in name_lists:
        seen.update(set(names))
    return sorted(name for name, df in seen.items() if name.startswith(WORD) or df >= char_min_df)


def counts(name_lists: Sequence[Sequence[str]], index: dict[str, int], weight: float = 1.0) -> Any:
    """One sparse row per list: ``weight`` for each occurrence of a known name (CSR matrix)."""
    rows, columns = [], []
    for row, names in enumerate(name_lists):
        for name in names:
            column = index.get(name)
            if column is not None:
                rows.append(row)
                columns.append(column)
    values = np.full(len(rows), weight, dtype=np.float64)
    return scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(name_lists), len(index)))


def char_sizes(sizes: Any) -> range:
    """The n-gram sizes of a ``[min, max]`` setting (None: none)."""
    return range(sizes[0], sizes[1] + 1) if sizes else range(0)


def is_size_range(sizes: Any) -> bool:
    """``[min, max]``: two whole numbers, 1 <= min <= max."""
    return (
        isinstance(sizes, list)
        and len(sizes) == 2
        and all(type(size) is int for size in sizes)
        and 1 <= sizes[0] <= sizes[1]
    )


def stored_rules(rules: TwoQuestionRules) -> dict[str, Any]:
    """The two-question rules as JSON-ready data, to store with a trained component."""
    return {
        "threshold": rules.threshold,
        "min_words": rules.min_words,
        "markers": [list(marker) for marker in rules.markers],
        "part_threshold": rules.part_threshold,
        "part_min_words": rules.part_min_words,
    }


def rules_from_stored(stored: dict[str, Any]) -> TwoQuestionRules:
    """The rules ``stored_rules`` wrote; a model trained before the part fields existed gets their defaults."""
    defaults = TwoQuestionRules(threshold=0.5, min_words=1, markers=())
    return TwoQuestionRules(
        threshold=float(stored["threshold"]),
        min_words=int(stored["min_words"]),
        markers=tuple(tuple(marker) for marker in stored["markers"]),
        part_threshold=float(stored.get("part_threshold", defaults.part_threshold)),
        part_min_words=int(stored.get("part_min_words", defaults.part_min_words)),
    )


def markers_fingerprint(config: dict[str, Any]) -> str | None:
    """The hash of the markers file a component reads at training (``knowledge_dir``), for its fingerprint.

    Why: Rasa reuses a cached component whose settings did not change; an edit of the markers must retrain the
    components that store them. None when the file cannot be read (training then reports the problem).
    """
    path = Path(str(config.get("knowledge_dir", "knowledge"))) / FILE_NAME
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
