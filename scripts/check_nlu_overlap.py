"""Check the NLU training data and the held-out test set for overlap.

Why: an example that sits in two intents teaches the classifier a contradiction, and a held-out
message that also appears in the training data makes the held-out score meaningless. Both are
easy to introduce when several people write examples at the same time, so this check runs over
everything present: every ``data/nlu/**/*.yml``, ``tests/nlu/heldout/*.yml`` and ``tests/nlu/blind/*.yml``.

Texts are compared after normalising: lower case, entity annotations ``[text](entity)`` reduced
to their text, punctuation removed, runs of white space collapsed. For held-out leaks the check
is stricter and also ignores spaces, so "digi d kwijt" leaks from "digid kwijt".

Usage::

    python -m scripts.check_nlu_overlap [--root REPO_ROOT]

Exit status: 0 when clean, 1 when problems were found, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

# [text](entity), [text](entity:value), [text]{"entity": ...}, [text][{...}, {...}]
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_SPACES = re.compile(r"\s+")


class InputError(Exception):
    """A file that is not valid YAML or does not have the expected shape."""


@dataclass(frozen=True)
class Example:
    """One training example or held-out message and where it came from."""

    label: str  # intent name (training) or topic id (held-out)
    text: str
    source: Path


def normalise(text: str) -> str:
    """Lower-case, drop entity markup and punctuation, collapse white space."""
    text = _ENTITY.sub(r"\1", text).lower()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """The normalised text without any spaces, for the stricter leak check."""
    return normalise(text).replace(" ", "")


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read YAML: {exc}") from exc


def _example_texts(path: Path, intent: str, examples: object) -> list[str]:
    """Rasa allows a block string of "- text" lines or a list of {text: ...} mappings."""
    if isinstance(examples, str):
        texts = []
        for number, line in enumerate(examples.splitlines(), start=1):
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("- "):
                raise InputError(
                    f"{path}: intent {intent!r}, example line {number} does not start "
                    f"with '- ': {stripped[:40]!r}"
                )
            texts.append(stripped[2:].strip())
        return texts
    if isinstance(examples, list):
        texts = []
        for item in examples:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise InputError(f"{path}: intent {intent!r}: list examples need a 'text' key")
            texts.append(item["text"])
        return texts
    raise InputError(f"{path}: intent {intent!r}: 'examples' must be a block string or a list")


def load_training(paths: Iterable[Path]) -> list[Example]:
    """Read every intent example from Rasa NLU files; synonyms, lookups and regexes are skipped."""
    found: list[Example] = []
    for path in paths:
        document = _load_yaml(path)
        if document is None:
            continue
        if not isinstance(document, dict):
            raise InputError(f"{path}: top level must be a mapping")
        entries = document.get("nlu") or []
        if not isinstance(entries, list):
            raise InputError(f"{path}: 'nlu' must be a list")
        for entry in entries:
            if not isinstance(entry, dict) or "intent" not in entry:
                continue
            intent = str(entry["intent"])
            for text in _example_texts(path, intent, entry.get("examples")):
                found.append(Example(intent, text, path))
    return found


def load_heldout(paths: Iterable[Path]) -> list[Example]:
    """Read held-out files of the form {topic: <id>, messages: [<text> or {text: <text>, ...}, ...]}."""
    found: list[Example] = []
    for path in paths:
        document = _load_yaml(path)
        if not isinstance(document, dict):
            raise InputError(f"{path}: expected a mapping with 'topic' and 'messages'")
        topic = document.get("topic")
        messages = document.get("messages")
        if not isinstance(topic, str) or not topic:
            raise InputError(f"{path}: 'topic' must be a non-empty string")
        if not isinstance(messages, list):
            raise InputError(f"{path}: 'messages' must be a list")
        for message in messages:
            text = message.get("text") if isinstance(message, dict) else message
            if not isinstance(text, str):
                raise InputError(f"{path}: every message must be text, or a mapping with 'text'")
            found.append(Example(topic, text, path))
    return found


def find_problems(training: list[Example], heldout: list[Example], root: Path) -> list[str]:
    """Return one human-readable line per problem; an empty list means clean."""

    def where(example: Example) -> str:
        try:
            return str(example.source.relative_to(root))
        except ValueError:
            return str(example.source)

    problems: list[str] = []

    by_text: dict[str, list[Example]] = defaultdict(list)
    for example in training:
        by_text[normalise(example.text)].append(example)
    for key, group in sorted(by_text.items()):
        labels = sorted({e.label for e in group})
        if len(labels) > 1:
            places = ", ".join(f"{e.label} ({where(e)})" for e in group)
            problems.append(f"cross-intent duplicate {key!r}: {places}")
        elif len(group) > 1:
            problems.append(f"duplicate within intent {labels[0]} ({where(group[0])}): {key!r} x{len(group)}")

    known_intents = {e.label for e in training}
    training_compact: dict[str, set[str]] = defaultdict(set)
    for example in training:
        training_compact[compact(example.text)].add(example.label)

    heldout_by_text: dict[str, list[Example]] = defaultdict(list)
    for message in heldout:
        heldout_by_text[compact(message.text)].append(message)
        if known_intents and message.label not in known_intents:
            problems.append(f"held-out topic {message.label!r} has no training intent ({where(message)})")
        leaked_into = training_compact.get(compact(message.text))
        if leaked_into:
            problems.append(
                f"held-out leak {normalise(message.text)!r} ({where(message)}) is a training "
                f"example of {', '.join(sorted(leaked_into))}"
            )
    for group in heldout_by_text.values():
        if len(group) > 1:
            places = ", ".join(f"{m.label} ({where(m)})" for m in group)
            problems.append(f"held-out message repeated {normalise(group[0].text)!r}: {places}")

    # The same problem can be reported twice for a message repeated in one file; keep one line.
    return list(dict.fromkeys(problems))


def main(argv: list[str] | None = None) -> int:
    """Run the check over a repository and print a report; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root (default: the parent of scripts/)",
    )
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()

    training_files = sorted((root / "data" / "nlu").rglob("*.yml"))
    heldout_files = sorted((root / "tests" / "nlu" / "heldout").glob("*.yml"))
    heldout_files += sorted((root / "tests" / "nlu" / "blind").glob("*.yml"))
    try:
        training = load_training(training_files)
        heldout = load_heldout(heldout_files)
    except InputError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2

    problems = find_problems(training, heldout, root)
    intents = len({e.label for e in training})
    topics = len({m.label for m in heldout})
    print(
        f"checked {len(training)} training examples in {intents} intents "
        f"({len(training_files)} files) and {len(heldout)} held-out messages "
        f"for {topics} topics ({len(heldout_files)} files)"
    )
    for problem in problems:
        print(f"PROBLEM {problem}")
    if problems:
        print(f"{len(problems)} problem(s) found")
        return 1
    print("no overlap found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
