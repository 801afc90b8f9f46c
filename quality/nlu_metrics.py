"""Scores NLU predictions on the held-out set: top-1 and top-3 accuracy, per-topic and macro F1, the
confusions, and out-of-scope precision and recall.

Why a pure module: the predictions come from Rasa (Python 3.10), but the arithmetic has nothing to do
with Rasa, so it is tested on hand-made predictions in either environment, and the evaluation script
stays a thin layer that loads the model and prints.

Rasa's built-in ``nlu_fallback`` (the FallbackClassifier firing) means "not understood", which the bot
answers with the ``buiten_bereik`` topic, so it counts as ``buiten_bereik`` everywhere here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OUT_OF_SCOPE = "buiten_bereik"
FALLBACK_INTENT = "nlu_fallback"


def to_topic(intent: str | None) -> str:
    """Map an intent name to the topic it is scored as (nlu_fallback -> buiten_bereik)."""
    if not intent or intent == FALLBACK_INTENT:
        return OUT_OF_SCOPE
    return intent


@dataclass(frozen=True)
class Prediction:
    """What the model made of one held-out message."""

    text: str
    expected: str
    ranking: tuple[tuple[str, float], ...]  # (intent, confidence), best first, nlu_fallback included
    predicted: str  # the intent Rasa chose, already mapped with to_topic
    # One ranking per later part of a two-question message (bot/nlu/second_part.py), in the same shape.
    part_rankings: tuple[tuple[tuple[str, float], ...], ...] = ()

    def top(self, k: int) -> list[str]:
        """The first ``k`` distinct topics of the ranking, after mapping nlu_fallback."""
        seen: list[str] = []
        for intent, _ in ((self.predicted, 1.0), *self.ranking):
            topic = to_topic(intent)
            if topic not in seen:
                seen.append(topic)
            if len(seen) == k:
                break
        return seen

    def classifier_ranking(self) -> list[tuple[str, float]]:
        """The classifier's own ranking, without the fallback entry the FallbackClassifier inserts."""
        return [(name, conf) for name, conf in self.ranking if name != FALLBACK_INTENT]


@dataclass(frozen=True)
class TopicScore:
    """Precision, recall and F1 of one topic."""

    topic: str
    support: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Evaluation:
    """The whole held-out result; ``to_dict`` is what results/eval.json holds."""

    messages: int
    top1: float
    top3: float
    macro_f1: float
    oos_precision: float
    oos_recall: float
    in_scope_fallback_rate: float
    per_topic: tuple[TopicScore, ...]
    confusions: tuple[tuple[str, str, int, tuple[str, ...]], ...]  # expected, predicted, count, texts
    threshold_sweep: tuple[dict[str, float], ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "messages": self.messages,
            "top1_accuracy": round(self.top1, 4),
            "top3_accuracy": round(self.top3, 4),
            "macro_f1": round(self.macro_f1, 4),
            "out_of_scope": {
                "label": OUT_OF_SCOPE,
                "precision": round(self.oos_precision, 4),
                "recall": round(self.oos_recall, 4),
                "in_scope_fallback_rate": round(self.in_scope_fallback_rate, 4),
            },
            "per_topic": [
                {
                    "topic": s.topic,
                    "support": s.support,
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                }
                for s in self.per_topic
            ],
            "confusions": [
                {"expected": e, "predicted": p, "count": n, "messages": list(texts)}
                for e, p, n, texts in self.confusions
            ],
            "threshold_sweep": list(self.threshold_sweep),
        }


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def topic_scores(pairs: Sequence[tuple[str, str]]) -> list[TopicScore]:
    """Per-topic scores for (expected, predicted) pairs, one per expected topic, sorted by name."""
    expected = Counter(e for e, _ in pairs)
    predicted = Counter(p for _, p in pairs)
    correct = Counter(e for e, p in pairs if e == p)
    scores = []
    for topic in sorted(expected):
        precision = _ratio(correct[topic], predicted[topic])
        recall = _ratio(correct[topic], expected[topic])
        scores.append(TopicScore(topic, expected[topic], precision, recall, _f1(precision, recall)))
    return scores


def out_of_scope_scores(pairs: Sequence[tuple[str, str]]) -> tuple[float, float]:
    """(precision, recall) with buiten_bereik as the positive class."""
    true_pos = sum(1 for e, p in pairs if e == p == OUT_OF_SCOPE)
    predicted = sum(1 for _, p in pairs if p == OUT_OF_SCOPE)
    actual = sum(1 for e, _ in pairs if e == OUT_OF_SCOPE)
    return _ratio(true_pos, predicted), _ratio(true_pos, actual)


def decide(prediction: Prediction, threshold: float, ambiguity: float) -> str:
    """The topic a FallbackClassifier with these settings would give, from the classifier's ranking."""
    ranking = prediction.classifier_ranking()
    if not ranking:
        return OUT_OF_SCOPE
    best = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if best < threshold or best - second < ambiguity:
        return OUT_OF_SCOPE
    return to_topic(ranking[0][0])


def sweep(
    predictions: Sequence[Prediction], thresholds: Iterable[float], ambiguity: float
) -> list[dict[str, float]]:
    """Top-1 and out-of-scope scores had the fallback threshold been each of ``thresholds``."""
    rows = []
    for threshold in thresholds:
        pairs = [(p.expected, decide(p, threshold, ambiguity)) for p in predictions]
        precision, recall = out_of_scope_scores(pairs)
        rows.append(
            {
                "threshold": round(threshold, 2),
                "top1_accuracy": round(_ratio(sum(e == d for e, d in pairs), len(pairs)), 4),
                "oos_precision": round(precision, 4),
                "oos_recall": round(recall, 4),
            }
        )
    return rows


def calibrated_threshold(rows: Sequence[Mapping[str, float]]) -> float:
    """The fallback threshold a sweep on the calibration slice recommends.

    The calibration slice is the team's held-out set; the blind set is only reported on, never used to choose
    (issue 10). Highest top-1 wins; among equals, the higher out-of-scope precision plus recall, then the lower
    threshold (fewer residents told "ik begrijp het niet").
    """
    if not rows:
        raise ValueError("no threshold sweep to calibrate on")
    best = max(
        rows,
        key=lambda r: (r["top1_accuracy"], r["oos_precision"] + r["oos_recall"], -r["threshold"]),
    )
    return float(best["threshold"])


def evaluate(
    predictions: Sequence[Prediction],
    thresholds: Iterable[float] = (),
    ambiguity: float = 0.0,
) -> Evaluation:
    """Score ``predictions``; ``thresholds`` adds a what-if table for the fallback threshold."""
    if not predictions:
        raise ValueError("no predictions to evaluate: the held-out set is empty")
    pairs = [(p.expected, p.predicted) for p in predictions]
    per_topic = topic_scores(pairs)
    precision, recall = out_of_scope_scores(pairs)
    in_scope = [p for p in predictions if p.expected != OUT_OF_SCOPE]
    confused: dict[tuple[str, str], list[str]] = {}
    for p in predictions:
        if p.expected != p.predicted:
            confused.setdefault((p.expected, p.predicted), []).append(p.text)
    confusions = sorted(
        ((e, pr, len(texts), tuple(texts)) for (e, pr), texts in confused.items()),
        key=lambda row: (-row[2], row[0], row[1]),
    )
    return Evaluation(
        messages=len(predictions),
        top1=_ratio(sum(e == p for e, p in pairs), len(pairs)),
        top3=_ratio(sum(p.expected in p.top(3) for p in predictions), len(predictions)),
        macro_f1=sum(s.f1 for s in per_topic) / len(per_topic),
        oos_precision=precision,
        oos_recall=recall,
        in_scope_fallback_rate=_ratio(sum(p.predicted == OUT_OF_SCOPE for p in in_scope), len(in_scope)),
        per_topic=tuple(per_topic),
        confusions=tuple(confusions),
        threshold_sweep=tuple(sweep(predictions, thresholds, ambiguity)),
    )


def render_table(evaluation: Evaluation, max_confusions: int = 15, show_texts: bool = True) -> str:
    """A plain-text summary: the headline numbers, per-topic scores and the most frequent confusions.

    ``show_texts=False`` (the blind sets) prints how often each confusion happened but not the messages: whoever
    reads the output to improve the training data must not learn the blind set's wording (issue 10).
    """
    e = evaluation
    lines = [
        f"held-out messages: {e.messages}",
        f"top-1 accuracy   : {e.top1:.3f}",
        f"top-3 accuracy   : {e.top3:.3f}",
        f"macro-F1         : {e.macro_f1:.3f}",
        f"out of scope     : precision {e.oos_precision:.3f}, recall {e.oos_recall:.3f} "
        f"(in-scope messages sent to fallback: {e.in_scope_fallback_rate:.1%})",
        "",
        f"{'topic':<28}{'n':>4}{'prec':>7}{'rec':>7}{'F1':>7}",
    ]
    lines.extend(
        f"{s.topic:<28}{s.support:>4}{s.precision:>7.2f}{s.recall:>7.2f}{s.f1:>7.2f}" for s in e.per_topic
    )
    lines.append("")
    lines.append(f"confusions (expected -> predicted), {len(e.confusions)} pairs:")
    for expected, predicted, count, texts in e.confusions[:max_confusions]:
        shown = f": {' | '.join(texts[:3])}" if show_texts else ""
        lines.append(f"  {count}x {expected} -> {predicted}{shown}")
    if e.threshold_sweep:
        lines.append("")
        lines.append("fallback threshold what-if (same model): threshold  top-1  oos-prec  oos-rec")
        lines.extend(
            f"  {row['threshold']:>8.2f}  {row['top1_accuracy']:.3f}  {row['oos_precision']:.3f}"
            f"     {row['oos_recall']:.3f}"
            for row in e.threshold_sweep
        )
    return "\n".join(lines)
