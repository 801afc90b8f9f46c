"""Scores the Dutch answer texts of every topic and lists what breaks the house readability limits.

Why: residents with low literacy read these answers, and one long sentence or a stack of rare words
is enough to lose them. Formulas measure surface features only, so these scores are a regression guard
for the writers, not a B1 certificate (see docs/quality.md).

Flesch-Douma is computed with textstat's Dutch setup (``textstat.set_lang("nl")``: Douma's constants
and pyphen's Dutch hyphenation for syllables), but on our own sentence and word split from
``quality.segment``, so the score, the average and the longest sentence all count the same sentences.
The text scored is ``answer`` plus ``steps`` (each step is a sentence), and ``simple`` separately.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import textstat

from knowledge.models import Topic
from quality.segment import is_address, is_number, split_segments, words
from quality.vocabulary import AllowedTerm, is_explained, is_frequent, is_transparent_compound

# Douma (1960): 206.835 - 0.93 x words per sentence - 77 x syllables per word (textstat's "nl" constants).
DOUMA_BASE = 206.835
DOUMA_SENTENCE_LENGTH = 0.93
DOUMA_SYLLABLES_PER_WORD = 77.0

MIN_DOUMA_ANSWER = 65.0
MIN_DOUMA_SIMPLE = 75.0
MAX_AVERAGE_SENTENCE_WORDS = 12.0
MAX_SENTENCE_WORDS = 20
# Share of rare words among the scored words (numbers and web addresses not counted); see docs/quality.md.
MAX_RARE_SHARE = 0.05

_PARTS = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@lru_cache(maxsize=1)
def _dutch_textstat() -> None:
    """Switch textstat to Dutch once per process (it is a module-level setting)."""
    textstat.set_lang("nl")


def syllables(word: str) -> int:
    """Syllables of one word by textstat's Dutch hyphenation; a domain name counts part by part."""
    _dutch_textstat()
    return sum(max(1, int(textstat.syllable_count(part))) for part in _PARTS.findall(word)) or 1


def douma(sentences: list[str]) -> float:
    """Flesch-Douma reading ease of the sentences; higher is easier. 0 for a text without words."""
    tokens = [token for sentence in sentences for token in words(sentence)]
    counted = [s for s in sentences if words(s)]
    if not tokens:
        return 0.0
    words_per_sentence = len(tokens) / len(counted)
    syllables_per_word = sum(syllables(token) for token in tokens) / len(tokens)
    return (
        DOUMA_BASE - DOUMA_SENTENCE_LENGTH * words_per_sentence - DOUMA_SYLLABLES_PER_WORD * syllables_per_word
    )


@dataclass(frozen=True)
class TextScore:
    """Readability of one text (an answer with its steps, or a simpler version)."""

    topic: str
    part: str  # "answer" (answer + steps) or "simple"
    sentences: tuple[str, ...]
    douma: float
    word_count: int
    rare: tuple[str, ...]  # rare words as written, in order, repeats kept
    allowed: tuple[str, ...] = field(default=())  # allow-listed words that were not counted as rare
    vocabulary_words: int = 0  # words the rare share is taken over (no numbers or addresses)

    @property
    def average_sentence_words(self) -> float:
        """Mean number of words per sentence."""
        lengths = [len(words(s)) for s in self.sentences if words(s)]
        return sum(lengths) / len(lengths) if lengths else 0.0

    @property
    def longest_sentence(self) -> str:
        """The sentence with the most words."""
        return max(self.sentences, key=lambda s: len(words(s)), default="")

    @property
    def longest_sentence_words(self) -> int:
        """Word count of the longest sentence."""
        return len(words(self.longest_sentence))

    @property
    def rare_share(self) -> float:
        """Rare words as a share of the counted words."""
        return len(self.rare) / self.vocabulary_words if self.vocabulary_words else 0.0


@dataclass(frozen=True)
class Finding:
    """One broken limit, with the text a writer has to look at."""

    topic: str
    part: str
    problem: str
    evidence: str

    def __str__(self) -> str:
        return f"knowledge/topics/{self.topic}.yml [{self.part}]: {self.problem}\n    -> {self.evidence}"


def _classify(
    tokens: Iterable[str], allowed: tuple[AllowedTerm, ...], explained: list[str]
) -> tuple[list[str], list[str], int]:
    """Split the vocabulary words into rare and allow-listed ones; return (rare, allowed, counted)."""
    rare: list[str] = []
    exempt: list[str] = []
    counted = 0
    for token in tokens:
        if is_number(token) or is_address(token):
            continue
        counted += 1
        if is_frequent(token) or is_transparent_compound(token):
            continue
        entry = next((term for term in allowed if term.matches(token)), None)
        if entry is not None and (entry.kind == "name" or is_explained(entry, explained)):
            exempt.append(token)
        else:
            rare.append(token)
    return rare, exempt, counted


def score_topic(topic: Topic, allowed: tuple[AllowedTerm, ...]) -> tuple[TextScore, TextScore]:
    """Score the answer (with its steps) and the simpler version of one topic.

    A term on the allow-list counts as explained when the answer, its steps or the simpler version
    explains it: the simpler version is offered after the answer, never instead of it.
    """
    answer_sentences = split_segments([topic.answer, *topic.steps])
    simple_sentences = split_segments([topic.simple])
    context = answer_sentences + simple_sentences
    scores = []
    for part, sentences in (("answer", answer_sentences), ("simple", simple_sentences)):
        tokens = [token for sentence in sentences for token in words(sentence)]
        rare, exempt, counted = _classify(tokens, allowed, context)
        scores.append(
            TextScore(
                topic=topic.id,
                part=part,
                sentences=tuple(sentences),
                douma=douma(sentences),
                word_count=len(tokens),
                rare=tuple(rare),
                allowed=tuple(exempt),
                vocabulary_words=counted,
            )
        )
    return scores[0], scores[1]


def findings(score: TextScore) -> list[Finding]:
    """Every limit ``score`` breaks; an empty list means the text passes."""
    out: list[Finding] = []
    minimum = MIN_DOUMA_ANSWER if score.part == "answer" else MIN_DOUMA_SIMPLE
    if score.douma < minimum:
        hardest = max(
            score.sentences, key=lambda s: sum(syllables(w) for w in words(s)) / max(1, len(words(s)))
        )
        out.append(
            Finding(
                score.topic,
                score.part,
                f"Flesch-Douma {score.douma:.1f} is below {minimum:.0f}; the sentence with the longest words",
                hardest,
            )
        )
    if score.average_sentence_words > MAX_AVERAGE_SENTENCE_WORDS:
        out.append(
            Finding(
                score.topic,
                score.part,
                f"{score.average_sentence_words:.1f} words per sentence on average, more than "
                f"{MAX_AVERAGE_SENTENCE_WORDS:.0f}; the longest sentence",
                score.longest_sentence,
            )
        )
    for sentence in score.sentences:
        count = len(words(sentence))
        if count > MAX_SENTENCE_WORDS:
            out.append(
                Finding(
                    score.topic,
                    score.part,
                    f"a sentence of {count} words, more than {MAX_SENTENCE_WORDS}",
                    sentence,
                )
            )
    if score.rare_share > MAX_RARE_SHARE:
        rare = {w.lower() for w in score.rare}
        offending = [s for s in score.sentences if any(w.lower() in rare for w in words(s))]
        out.append(
            Finding(
                score.topic,
                score.part,
                f"{score.rare_share:.1%} rare words ({', '.join(sorted(rare))}), more than "
                f"{MAX_RARE_SHARE:.0%}; explain them or add an explained term to "
                "quality/allowed_terms.yml; the sentences",
                " | ".join(offending),
            )
        )
    return out
