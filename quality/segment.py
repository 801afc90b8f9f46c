"""Splits Dutch answer text into sentences and words, the one way every readability check counts them.

Why our own splitter: textstat cuts a sentence at every full stop, so "Ga naar digid.nl en kies ..." becomes
two sentences, and it silently drops sentences of one or two words ("Hulp nodig?"). Both make average
sentence lengths wrong in opposite directions. Here a full stop, question mark or exclamation mark ends a
sentence only when white space or the end of the text follows, so domain names ("digid.nl"), e-mail
addresses and times ("8.00 uur") stay inside their sentence, and a few common abbreviations ("bijv.",
"o.a.") do not end one either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Abbreviations that end in a full stop without ending the sentence (lower case, with the dot).
ABBREVIATIONS = frozenset(
    {"bijv.", "bv.", "o.a.", "enz.", "ca.", "nr.", "t.o.v.", "m.b.v.", "z.s.m.", "evt.", "incl.", "excl."}
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
# A word: letters or digits, possibly joined by - . @ / ' (E-café, ID-kaart, digid.nl, 8.00, t/m).
_WORD = re.compile(r"[\w]+(?:[-.@/'’][\w]+)*", re.UNICODE)
_DOMAIN = re.compile(r"^(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` in order, stripped; an empty text has none."""
    sentences: list[str] = []
    pending = ""
    for piece in _SENTENCE_END.split(text.strip()):
        piece = piece.strip()
        if not piece:
            continue
        pending = f"{pending} {piece}" if pending else piece
        last_word = pending.rsplit(maxsplit=1)[-1].lower()
        if last_word in ABBREVIATIONS:
            continue
        sentences.append(pending)
        pending = ""
    if pending:
        sentences.append(pending)
    return sentences


def split_segments(segments: Iterable[str]) -> list[str]:
    """Sentences of several texts that each end a sentence (an answer plus its steps)."""
    return [sentence for segment in segments for sentence in split_sentences(segment)]


def words(sentence: str) -> list[str]:
    """The words of a sentence, punctuation removed; "digid.nl" and "ID-kaart" are one word each."""
    return _WORD.findall(sentence)


def is_address(word: str) -> bool:
    """True for a domain name, web address or e-mail address (read as a name, not as vocabulary)."""
    return bool(_DOMAIN.match(word) or _EMAIL.match(word))


def is_number(word: str) -> bool:
    """True for a token without letters: numbers, times, dates."""
    return not any(ch.isalpha() for ch in word)
