"""Word families with room for typing errors: does a message contain a word of this family, and where?

Why a module of its own: fixed phrases catch the wording the rule writer thought of, and each new writer of
scam messages finds other words ("verdiend", "Teamviewr", "advertensie", "bevestigingsnummer"). A *term* in
knowledge/message_check.yml names a word family instead of a phrase, and the checker combines families into
facts ("money is offered" and "per task"). This module only answers where a term occurs; which terms make a
signal is content. Pure standard library, no state, nothing happens at import time.

Term syntax (one term is one or more words, matched on consecutive words of the message):
- ``taak``: the word itself;
- ``verdien*``: any word that starts with it (verdien, verdient, verdiende, verdienen);
- ``*code``: any word that ends with it (code, sms-code, verificatiecode), the Dutch compound head.
Words of at least FUZZY_MIN_LETTERS letters also match with one typing error (a letter missing, extra, wrong
or two swapped), but never in the first FUZZY_FIXED_LETTERS letters: "betalen" must not match "bepalen".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FUZZY_MIN_LETTERS = 6
FUZZY_FIXED_LETTERS = 3
# A word: letters and digits, with inner hyphens and apostrophes ("sms-code", "foto's").
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class Word:
    """One word of the message: its folded form and where it stands in the text."""

    folded: str
    start: int
    end: int


@dataclass(frozen=True)
class TermPart:
    """One word of a term: its letters, and whether a word may go on after them (``prefix``) or come before
    them (``suffix``)."""

    letters: str
    prefix: bool = False
    suffix: bool = False


Term = tuple[TermPart, ...]


def fold(word: str) -> str:
    """Lower case without accents and without doubled letters, so "Oekraïne", "verdiennen" read as written."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"(.)\1+", r"\1", plain.replace("’", "'"))


def words(text: str) -> list[Word]:
    """The words of ``text`` in order, folded, with their positions in the original text."""
    return [Word(fold(m.group(0)), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def parse_term(term: str) -> Term:
    """``"stuur* door"`` → two parts; raises ValueError on an empty term or a lone ``*``."""
    parts = []
    for raw in term.split():
        letters = fold(raw.strip("*"))
        if not letters:
            raise ValueError(f"'{term}' has an empty word")
        parts.append(TermPart(letters, prefix=raw.endswith("*"), suffix=raw.startswith("*")))
    if not parts:
        raise ValueError("a term needs at least one word")
    return tuple(parts)


def _one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one letter added, dropped, changed or two swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _close(letters: str, candidate: str) -> bool:
    """Equal, or one typing error apart when the word is long enough and starts the same."""
    if letters == candidate:
        return True
    if len(letters) < FUZZY_MIN_LETTERS or candidate[:FUZZY_FIXED_LETTERS] != letters[:FUZZY_FIXED_LETTERS]:
        return False
    return _one_edit_apart(letters, candidate)


def part_matches(part: TermPart, word: str) -> bool:
    """Whether one message word belongs to the family of one term word."""
    if part.prefix and part.suffix:
        return part.letters in word
    if part.prefix:
        if word.startswith(part.letters):
            return True
        n = len(part.letters)
        return any(_close(part.letters, word[:size]) for size in (n - 1, n, n + 1) if size <= len(word))
    if part.suffix:
        if word.endswith(part.letters):
            return True
        n = len(part.letters)
        return len(word) >= n and _close(part.letters, word[-n:])
    return _close(part.letters, word)


def find_all_terms(terms: tuple[Term, ...], message_words: list[Word]) -> list[tuple[int, int]]:
    """Every span where one of the terms occurs, in text order (a term may occur more than once)."""
    spans = []
    for term in terms:
        size = len(term)
        for i in range(len(message_words) - size + 1):
            if all(part_matches(term[k], message_words[i + k].folded) for k in range(size)):
                spans.append((message_words[i].start, message_words[i + size - 1].end))
    return sorted(spans)
