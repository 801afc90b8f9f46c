"""Two questions in one message: which second topic to offer as a button (issue 10, item 5).

"mijn digid doet het niet en ik moet ook toeslag aanvragen" is answered with its first topic; the second is
offered as a button in the chat and named in the staff triage answer. Both runtimes ask this module, so the
chat and triage cannot disagree. Pure: a function of the catalogue, the text and Rasa's ``intent_ranking``;
nothing happens at import time. The markers and the threshold are content (``knowledge/two_questions.yml``),
read by the loader with the rest of the catalogue; the threshold's calibration is in docs/quality.md.

A second topic is offered only when both hold:

1. the text has the shape of two questions: a joining marker (" en ", " ook ", "daarnaast", "?" followed by
   more words, ...) with at least ``min_words`` words on each side; and
2. the ranking's best topic other than the answered one is a topic residents may be offered (kind ``topic``,
   ``suggest: true``) with a confidence at or above ``threshold``. Only that one is looked at: when the
   runner-up is a greeting, "niet begrepen" or a weak guess, the message is not two questions we can name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.validation import Reader, read_yaml

if TYPE_CHECKING:
    from knowledge.models import Catalog, Topic

FILE_NAME = "two_questions.yml"
# Words, and the punctuation marks that can join two questions ("?" and ";" followed by more words).
TOKEN_RE = re.compile(r"[^\W_]+|[?;]")
PUNCTUATION = frozenset({"?", ";"})


@dataclass(frozen=True)
class TwoQuestionRules:
    """When a message counts as two questions: its markers, the words each part needs, the threshold."""

    threshold: float
    min_words: int
    markers: tuple[tuple[str, ...], ...]  # each marker as its tokens: ("nog", "een", "vraag"), ("?",)


def tokens(text: str) -> list[str]:
    """Lower-case words and the joining punctuation marks of ``text``, in order."""
    return TOKEN_RE.findall(text.lower())


def _words(parts: Sequence[str]) -> int:
    return sum(1 for token in parts if token not in PUNCTUATION)


def _joins(found: Sequence[str], rules: TwoQuestionRules) -> Iterator[int]:
    """Positions in ``found`` where a marker joins two parts of at least ``rules.min_words`` words each."""
    for marker in rules.markers:
        size = len(marker)
        for start in range(len(found) - size + 1):
            if tuple(found[start : start + size]) != marker:
                continue
            if _words(found[:start]) >= rules.min_words and _words(found[start + size :]) >= rules.min_words:
                yield start


def has_two_parts(text: str, rules: TwoQuestionRules) -> bool:
    """True when a marker joins two parts of at least ``rules.min_words`` words each.

    A button payload (``/toeslagen``) is never two questions.
    """
    if text.lstrip().startswith("/"):
        return False
    return any(True for _ in _joins(tokens(text), rules))


def first_part(text: str, rules: TwoQuestionRules) -> str:
    """The text before the first marker that joins two parts, or the whole text when none does.

    Why: the bot answers the first question of a two-question message, but a bag-of-words classifier cannot
    tell which topic came first; ``bot/nlu/first_part.py`` gives it features of this part alone. The same
    markers and ``min_words`` as ``has_two_parts``, so a message is split exactly when the chat would see two
    questions in it; a button payload is never split.
    """
    if text.lstrip().startswith("/"):
        return text
    matches = list(TOKEN_RE.finditer(text))
    starts = list(_joins([match.group().lower() for match in matches], rules))
    if not starts:
        return text
    return text[: matches[min(starts)].start()].rstrip()


def _confidence(entry: Mapping[str, Any]) -> float:
    try:
        return float(entry.get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def runner_up(
    catalog: Catalog, ranking: Iterable[Mapping[str, Any]], answered: str
) -> tuple[Topic, float] | None:
    """The ranking's best topic other than ``answered``, with its confidence (mechanics intents skipped)."""
    for entry in ranking:
        topic = catalog.topic_for_intent(entry.get("name"))
        if topic is not None and topic.id != answered:
            return topic, _confidence(entry)
    return None


def second_topic(
    catalog: Catalog, text: str, ranking: Iterable[Mapping[str, Any]], answered: Topic
) -> Topic | None:
    """The second topic to offer after answering ``answered`` for ``text``, or None.

    Args:
        catalog: the content; ``catalog.two_questions`` holds the markers and the threshold (None: never).
        text: the resident's message as NLU saw it.
        ranking: Rasa's ``intent_ranking`` for that message: ``[{"name": ..., "confidence": ...}, ...]``,
            best first.
        answered: the topic the message is answered with. Only a real topic (kind ``topic``) gets a second
            one: "niet begrepen" already offers its likely topics, and a greeting or a hand-off asks nothing.
    """
    rules = catalog.two_questions
    if rules is None or answered.kind != "topic" or not has_two_parts(text, rules):
        return None
    found = runner_up(catalog, ranking, answered.id)
    if found is None:
        return None
    topic, confidence = found
    if topic.kind != "topic" or not topic.suggest or confidence < rules.threshold:
        return None
    return topic


def parse(data: Any, where: str, problems: list[str]) -> TwoQuestionRules | None:
    """Validate the YAML of ``two_questions.yml``; problems are recorded as ``file: field: problem``."""
    r = Reader(data, where, problems, {"threshold", "min_words", "markers"})
    threshold = r.raw("threshold")
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1
    ):
        r.fail("threshold", f"must be a number between 0 and 1, got {threshold!r}")
        threshold = None
    min_words = r.raw("min_words")
    if min_words is not None and (
        isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1
    ):
        r.fail("min_words", f"must be a whole number of at least 1, got {min_words!r}")
        min_words = None
    markers: list[tuple[str, ...]] = []
    for index, item in enumerate(r.items("markers")):
        marker = tuple(tokens(item)) if isinstance(item, str) else ()
        if not marker:
            r.fail(f"markers[{index}]", "must be a word, a few words, '?' or ';'")
            continue
        markers.append(marker)
    if data is not None and isinstance(data, dict) and "markers" in data and not markers:
        r.fail("markers", "must list at least one marker")
    if threshold is None or min_words is None or not markers:
        return None
    return TwoQuestionRules(threshold=float(threshold), min_words=min_words, markers=tuple(markers))


def load(root: Path, problems: list[str]) -> TwoQuestionRules | None:
    """Read ``root/two_questions.yml``; None (with a problem recorded) when it cannot be read."""
    where = f"knowledge/{FILE_NAME}"
    ok, data = read_yaml(root / FILE_NAME, where, problems)
    return parse(data, where, problems) if ok else None
