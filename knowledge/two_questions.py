"""Two questions in one message: which second topic to offer as a button (issue 10, item 5).

"mijn digid doet het niet en ik moet ook toeslag aanvragen" is answered with its first topic; the second is
offered as a button in the chat and named in the staff triage answer. Both runtimes ask this module, so the
chat and triage cannot disagree. Pure: a function of the catalogue, the text and Rasa's ``intent_ranking``;
nothing happens at import time. The markers and the threshold are content (``knowledge/two_questions.yml``),
read by the loader with the rest of the catalogue; the threshold's calibration is in docs/quality.md.

A second topic is offered only when the text has the shape of two questions (a joining marker: " en ", " ook ",
"daarnaast", "?" followed by more words, ...; at least ``min_words`` words on each side), and then by the first
of two rules that finds one:

1. **the later part's own topic**: NLU classifies each part after a joining marker that has at least
   ``part_min_words`` words on its own (``bot/nlu/second_part.py``; the rankings reach the chat and triage as
   ``part_rankings`` in Rasa's parse data). A part offers its best topic when that is not the answered one, is
   a topic residents may be offered (kind ``topic``, ``suggest: true``) and has a confidence at or above
   ``part_threshold``. Why: the whole message's ranking is about the whole message, so the second question's
   topic was ranked second in only about half of the two-question messages, and then weakly (docs/quality.md).
2. **the whole message's runner-up**: the ranking's best topic other than the answered one, when it may be
   offered and has a confidence at or above ``threshold``. Only that one is looked at: when the runner-up is a
   greeting, "niet begrepen" or a weak guess, the message is not two questions we can name.
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
# The key under which Rasa's parse data carries the later parts' rankings (bot/nlu/second_part.py writes it).
PART_RANKINGS_KEY = "part_rankings"
# Words, and the punctuation marks that can join two questions ("?" and ";" followed by more words).
TOKEN_RE = re.compile(r"[^\W_]+|[?;]")
PUNCTUATION = frozenset({"?", ";"})


@dataclass(frozen=True)
class TwoQuestionRules:
    """When a message counts as two questions (markers, words per part) and which second topic to offer."""

    threshold: float  # the whole message's runner-up needs this confidence
    min_words: int
    markers: tuple[tuple[str, ...], ...]  # each marker as its tokens: ("nog", "een", "vraag"), ("?",)
    part_threshold: float = 1.0  # a later part's own topic needs this confidence (1.0: never offered)
    part_min_words: int = 4  # the words a later part needs to be classified on its own


def tokens(text: str) -> list[str]:
    """Lower-case words and the joining punctuation marks of ``text``, in order."""
    return TOKEN_RE.findall(text.lower())


def _words(parts: Sequence[str]) -> int:
    return sum(1 for token in parts if token not in PUNCTUATION)


def _joins(found: Sequence[str], rules: TwoQuestionRules) -> Iterator[tuple[int, int]]:
    """(position, size) of each marker in ``found`` joining two parts of ``rules.min_words`` words or more."""
    for marker in rules.markers:
        size = len(marker)
        for start in range(len(found) - size + 1):
            if tuple(found[start : start + size]) != marker:
                continue
            if _words(found[:start]) >= rules.min_words and _words(found[start + size :]) >= rules.min_words:
                yield start, size


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
    starts = [start for start, _ in _joins([match.group().lower() for match in matches], rules)]
    if not starts:
        return text
    return text[: matches[min(starts)].start()].rstrip()


def later_parts(text: str, rules: TwoQuestionRules) -> list[int]:
    """Where each later part starts in ``text`` (character offsets, ascending): after every joining marker,
    when what follows has at least ``rules.part_min_words`` words.

    Why every marker and not only the first: "mijn man en ik willen een digid en ik wil ook huurtoeslag" has
    its first join inside the first question; the part after a later marker holds the second question alone.
    A button payload has no parts.
    """
    if text.lstrip().startswith("/"):
        return []
    matches = list(TOKEN_RE.finditer(text))
    found = [match.group().lower() for match in matches]
    starts = set()
    for start, size in _joins(found, rules):
        after = start + size
        if after < len(matches) and _words(found[after:]) >= rules.part_min_words:
            starts.add(matches[after].start())
    return sorted(starts)


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


def _offerable(topic: Topic) -> bool:
    return topic.kind == "topic" and topic.suggest


def part_topic(
    catalog: Catalog, part_rankings: Iterable[Sequence[Mapping[str, Any]]], answered: str
) -> tuple[Topic, float] | None:
    """The most confident topic a later part asks about on its own, other than ``answered``, or None.

    A part's topic is its ranking's best intent, and it counts only when that is a topic residents may be
    offered and not ``answered``: a part about the answered topic goes on with the first question, and a
    greeting, "nee" or "niet begrepen" on top means the part is no question we can name.
    """
    best: tuple[Topic, float] | None = None
    for ranking in part_rankings:
        entries = list(ranking)
        top = catalog.topic_for_intent(entries[0].get("name")) if entries else None
        if top is None or top.id == answered or not _offerable(top):
            continue
        confidence = _confidence(entries[0])
        if best is None or confidence > best[1]:
            best = top, confidence
    return best


def second_offer(
    catalog: Catalog,
    text: str,
    ranking: Iterable[Mapping[str, Any]],
    answered: Topic,
    part_rankings: Iterable[Sequence[Mapping[str, Any]]] = (),
) -> tuple[Topic, float] | None:
    """The second topic to offer after answering ``answered`` for ``text``, with the confidence that chose it
    (the later part's, or the whole message's); None when there is none.

    Args:
        catalog: the content; ``catalog.two_questions`` holds the markers and the thresholds (None: never).
        text: the resident's message as NLU saw it.
        ranking: Rasa's ``intent_ranking`` for that message: ``[{"name": ..., "confidence": ...}, ...]``,
            best first.
        answered: the topic the message is answered with. Only a real topic (kind ``topic``) gets a second
            one: "niet begrepen" already offers its likely topics, and a greeting or a hand-off asks nothing.
        part_rankings: the ranking of each later part on its own (``PART_RANKINGS_KEY`` of Rasa's parse data),
            in the same shape; empty when the model has no such rankings.
    """
    rules = catalog.two_questions
    if rules is None or answered.kind != "topic" or not has_two_parts(text, rules):
        return None
    in_part = part_topic(catalog, part_rankings, answered.id)
    if in_part is not None and in_part[1] >= rules.part_threshold:
        return in_part
    found = runner_up(catalog, ranking, answered.id)
    if found is None or not _offerable(found[0]) or found[1] < rules.threshold:
        return None
    return found


def part_rankings_of(parse_data: Mapping[str, Any]) -> list[list[Mapping[str, Any]]]:
    """The later parts' rankings in Rasa's parse data (``PART_RANKINGS_KEY``); anything malformed is dropped."""
    raw = parse_data.get(PART_RANKINGS_KEY)
    if not isinstance(raw, list):
        return []
    return [
        [entry for entry in ranking if isinstance(entry, Mapping)]
        for ranking in raw
        if isinstance(ranking, list) and ranking
    ]


def parse(data: Any, where: str, problems: list[str]) -> TwoQuestionRules | None:
    """Validate the YAML of ``two_questions.yml``; problems are recorded as ``file: field: problem``."""
    r = Reader(data, where, problems, {"threshold", "min_words", "markers", "part_threshold", "part_min_words"})
    threshold = _fraction(r, "threshold")
    part_threshold = _fraction(r, "part_threshold")
    min_words = _whole(r, "min_words")
    part_min_words = _whole(r, "part_min_words")
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
    if part_threshold is None or part_min_words is None:
        return None
    return TwoQuestionRules(
        threshold=threshold,
        min_words=min_words,
        markers=tuple(markers),
        part_threshold=part_threshold,
        part_min_words=part_min_words,
    )


def _fraction(r: Reader, field: str) -> float | None:
    """A required number strictly between 0 and 1 (recorded as a problem otherwise)."""
    value = r.raw(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        r.fail(field, f"must be a number between 0 and 1, got {value!r}")
        return None
    return float(value)


def _whole(r: Reader, field: str) -> int | None:
    """A required whole number of at least 1 (recorded as a problem otherwise)."""
    value = r.raw(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        r.fail(field, f"must be a whole number of at least 1, got {value!r}")
        return None
    return value


def load(root: Path, problems: list[str]) -> TwoQuestionRules | None:
    """Read ``root/two_questions.yml``; None (with a problem recorded) when it cannot be read."""
    where = f"knowledge/{FILE_NAME}"
    ok, data = read_yaml(root / FILE_NAME, where, problems)
    return parse(data, where, problems) if ok else None
