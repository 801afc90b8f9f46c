"""Prints precision and recall of knowledge.pii on the annotated corpus, per kind and overall.

Usage: python -m scripts.pii_report [--corpus tests/pii/corpus.yml] [--markdown]
       python -m scripts.pii_report --spans [FILE.yml ...]

Both BSN rules are measured: the default (every 9-digit number that passes the 11-proef is
masked) and the stricter one (only with a context word nearby). The figures go into
docs/privacy.md. Prints no message text except the findings that went wrong, which are made up.

``--spans`` lists every name and street address the masker finds in texts nobody annotated for
it (by default the message-check corpora, written by others without seeing these rules), with
the words before it, so a person can judge the precision of those two kinds by reading.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.pii import ADRES, KINDS, NAAM, mask_pii, normalise, placeholder
from knowledge.pii_names import find_addresses, find_names

# Names and street addresses in free text, reported together as well (issue 12 item 6).
FREE_TEXT_KINDS = (NAAM, ADRES)
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "pii" / "corpus.yml"
SPAN_CORPORA = sorted((DEFAULT_CORPUS.parent.parent / "message_check" / "corpus").glob("*.yml"))


@dataclass
class Tally:
    """Counts for one kind: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of placeholders that stand for annotated data of this kind."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of annotated data of this kind that became this kind's placeholder."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    """Everything the report prints for one BSN rule."""

    tallies: dict[str, Tally]
    messages: int = 0
    values: int = 0
    leaked: list[tuple[str, str, str]] = field(default_factory=list)
    known_misses: list[tuple[str, str, str]] = field(default_factory=list)
    keep_total: int = 0
    keep_lost: list[tuple[str, str]] = field(default_factory=list)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def overall(self) -> Tally:
        """Sum over the kinds."""
        return Tally(
            tp=sum(t.tp for t in self.tallies.values()),
            fp=sum(t.fp for t in self.tallies.values()),
            fn=sum(t.fn for t in self.tallies.values()),
        )


def load_corpus(path: Path) -> list[dict[str, object]]:
    """Read the corpus and check its shape.

    Args:
        path: The corpus YAML file.

    Returns:
        The list of messages.

    Raises:
        ValueError: When an entry lacks a text or has an unknown kind.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages: list[dict[str, object]] = data["messages"]
    for entry in messages:
        if not isinstance(entry.get("text"), str):
            raise ValueError(f"{path}: entry {entry.get('id')!r} has no text")
        for item in entry.get("pii") or []:  # type: ignore[attr-defined]
            if item["kind"] not in KINDS:
                raise ValueError(f"{path}: entry {entry['id']!r} has unknown kind {item['kind']!r}")
    return messages


def count_placeholders(text: str) -> Counter[str]:
    """Count the placeholders of each kind in ``text``."""
    counts: Counter[str] = Counter()
    for kind in KINDS:
        counts[kind] = len(re.findall(re.escape(placeholder(kind)), text))
    return counts


def evaluate(messages: list[dict[str, object]], *, bsn_needs_context: bool) -> Evaluation:
    """Mask every message and compare the placeholders with the annotations.

    Args:
        messages: Corpus entries with ``text``, optional ``pii`` and ``keep``.
        bsn_needs_context: The BSN rule to measure (see ``knowledge.pii.mask_pii``).

    Returns:
        Per-kind counts, the values that survived, and the look-alikes that were masked.
    """
    result = Evaluation(tallies={kind: Tally() for kind in KINDS})
    started = time.perf_counter()
    masked_texts = [
        mask_pii(str(entry["text"]), bsn_needs_context=bsn_needs_context).text for entry in messages
    ]
    result.seconds = time.perf_counter() - started
    for entry, masked in zip(messages, masked_texts, strict=True):
        entry_id, text = str(entry["id"]), str(entry["text"])
        pii: list[dict[str, str]] = entry.get("pii") or []  # type: ignore[assignment]
        keep: list[str] = entry.get("keep") or []  # type: ignore[assignment]
        result.messages += 1
        expected = Counter(item["kind"] for item in pii)
        found = count_placeholders(masked) - count_placeholders(text)
        for kind in KINDS:
            hits = min(expected[kind], found[kind])
            tally = result.tallies[kind]
            tally.tp += hits
            tally.fp += found[kind] - hits
            tally.fn += expected[kind] - hits
            if found[kind] != expected[kind]:
                result.wrong.append((entry_id, kind, f"expected {expected[kind]}, got {found[kind]}"))
        for item in pii:
            result.values += 1
            if item["value"] in masked:
                misses = result.known_misses if item.get("limitation") else result.leaked
                misses.append((entry_id, item["kind"], item["value"]))
        for value in keep:
            result.keep_total += 1
            if value not in masked:
                result.keep_lost.append((entry_id, value))
    return result


def render(evaluation: Evaluation, title: str, *, markdown: bool) -> str:
    """Format one evaluation as a plain or Markdown table with the notes below it."""
    rows = [(kind, evaluation.tallies[kind]) for kind in KINDS]
    free_text = [evaluation.tallies[kind] for kind in FREE_TEXT_KINDS]
    rows.append(
        ("names+addresses", Tally(*(sum(getattr(t, f) for t in free_text) for f in ("tp", "fp", "fn"))))
    )
    rows.append(("overall", evaluation.overall))
    lines = [f"### {title}" if markdown else f"== {title}", ""]
    header = ("kind", "TP", "FP", "FN", "precision", "recall")
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|---:|---:|---:|---:|---:|")
    else:
        lines.append("{:<16}{:>5}{:>5}{:>5}{:>11}{:>8}".format(*header))
    for kind, tally in rows:
        cells = (kind, tally.tp, tally.fp, tally.fn, f"{tally.precision:.3f}", f"{tally.recall:.3f}")
        if markdown:
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
        else:
            lines.append("{:<16}{:>5}{:>5}{:>5}{:>11}{:>8}".format(*cells))
    per_message_ms = evaluation.seconds / max(evaluation.messages, 1) * 1000
    lines += [
        "",
        f"- messages: {evaluation.messages}; annotated values: {evaluation.values}; "
        f"values still in the masked text: {len(evaluation.leaked)} "
        f"(plus {len(evaluation.known_misses)} known misses, marked limitation in the corpus)",
        f"- look-alikes kept: {evaluation.keep_total - len(evaluation.keep_lost)} of {evaluation.keep_total}",
        f"- mean time per message: {per_message_ms:.3f} ms",
    ]
    for entry_id, kind, value in evaluation.leaked:
        lines.append(f"- LEAK {entry_id} {kind}: {value}")
    for entry_id, kind, value in evaluation.known_misses:
        lines.append(f"- known miss {entry_id} {kind}: {value}")
    for entry_id, value in evaluation.keep_lost:
        lines.append(f"- masked look-alike {entry_id}: {value}")
    for entry_id, kind, detail in evaluation.wrong:
        lines.append(f"- count mismatch {entry_id} {kind}: {detail}")
    return "\n".join(lines)


def list_spans(paths: list[Path]) -> str:
    """Every name and address found in the ``text`` of the messages in ``paths``, counted.

    Args:
        paths: YAML files with a top-level ``messages`` list of mappings with a ``text``.

    Returns:
        One line per distinct (kind, preceding words, span), most frequent first, and totals.
    """
    found: Counter[tuple[str, str, str]] = Counter()
    texts = 0
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("messages") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                continue
            texts += 1
            text = normalise(entry["text"])
            for kind, spans in ((NAAM, find_names(text)), (ADRES, find_addresses(text))):
                for start, end in dict.fromkeys(spans):
                    before = " ".join(text[max(0, start - 30) : start].split())
                    found[(kind, before, text[start:end])] += 1
    totals: Counter[str] = Counter()
    for (kind, _, _), count in found.items():
        totals[kind] += count
    lines = [
        f"{count:>3} {kind:<5} ...{before!r} -> {span!r}" for (kind, before, span), count in found.most_common()
    ]
    lines.append(f"- texts: {texts}; names: {totals[NAAM]}; addresses: {totals[ADRES]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the report; exit 1 when an annotated value survives under the default rule.

    Values the corpus marks ``limitation: true`` are known misses: listed, counted as false
    negatives, but no reason to fail.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--spans",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="list names and addresses found in FILEs (see above)",
    )
    args = parser.parse_args(argv)
    if args.spans is not None:
        print(list_spans(args.spans or SPAN_CORPORA))
        return 0
    messages = load_corpus(args.corpus)
    mask_pii("06-12345678")  # load phonenumbers' metadata before timing
    default = evaluate(messages, bsn_needs_context=False)
    strict = evaluate(messages, bsn_needs_context=True)
    print(render(default, "Default rule: every 11-proef 9-digit number is a BSN", markdown=args.markdown))
    print()
    print(render(strict, "Alternative: a BSN needs a context word nearby", markdown=args.markdown))
    return 1 if default.leaked else 0


if __name__ == "__main__":
    sys.exit(main())
