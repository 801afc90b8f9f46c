"""Decides which words of an answer are rare: outside the most frequent Dutch word forms, not a transparent
compound of frequent words, and not an allowed term that the topic itself explains.

Why word frequency: how often a word occurs in everyday Dutch is the best single predictor of whether a
reader knows it (it is the lexical part of readability formulas such as Cito's LiNT). wordfreq's Dutch
list ships inside its wheel, so this works offline. The cut-off and the limit are calibrated on our own
texts; docs/quality.md gives the numbers and the reasons.

Why compounds: Dutch writes compounds as one word ("vakantieplannen", "bankgegevens"), and each such form
is rare in a frequency list although a reader who knows both parts understands it. A word that splits into
frequent parts (an optional linking "s" allowed) is therefore not counted as rare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

import yaml
from wordfreq import zipf_frequency

from quality.segment import words

# Zipf 3.0 = about once per million words, roughly rank 30,000 in wordfreq's Dutch list.
RARE_ZIPF = 3.0
# Each part of a compound must be well known: Zipf 3.5, about the 14,000 most frequent forms.
COMPOUND_PART_ZIPF = 3.5
MIN_COMPOUND_PART = 3
# Function words and prefixes that look like a first part but carry no meaning of their own
# ("des-informatie", "ver-keer"); a word may not be split after them.
NOT_A_HEAD = frozenset(
    {"aan", "bij", "dat", "den", "der", "des", "die", "dit", "een", "her", "het", "hij", "hoe", "mij",
     "ont", "per", "ten", "ter", "wat", "wie", "wij", "zij"}
)  # fmt: skip
MAX_COMPOUND_PARTS = 3
ALLOWED_TERMS_FILE = Path(__file__).resolve().parent / "allowed_terms.yml"
TERM_KINDS = ("name", "term")

# A sentence that defines or names something: "Dat heet phishing.", "Machtigen betekent: ...".
_NAMING = re.compile(r"\b(heet|heten|betekent|betekenen|noemen|noemt|noemen we)\b", re.IGNORECASE)
# A following sentence that explains the previous one: "Dat is een dubbel slot."
_EXPLAINS_PREVIOUS = re.compile(r"^(dat|dit|die|zo)\s+(is|zijn|heet|heten|betekent)\b", re.IGNORECASE)
# "De Berichtenbox is ...", "Cookies zijn ...": up to two words before is/zijn at the start.
_DEFINITION = re.compile(r"^(?:(?:de|het|een|uw)\s+)?(\S+(?:\s+\S+)?)\s+(?:is|zijn)\b", re.IGNORECASE)
_BRACKETS = re.compile(r"\(([^)]*)\)")


class AllowListError(ValueError):
    """The allow-list file is not in the expected shape; the message names the entry and the field."""


@dataclass(frozen=True)
class AllowedTerm:
    """A word that may be rare: a name (always allowed) or a term (allowed where the topic explains it)."""

    pattern: str  # lower case, fnmatch style: "toeslag*" matches toeslag, toeslagen
    kind: str
    why: str

    def matches(self, word: str) -> bool:
        """True when ``word`` (any case) is a form of this term."""
        return fnmatchcase(word.lower(), self.pattern)


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-case Dutch word (0 when unknown)."""
    return float(zipf_frequency(word, "nl"))


def is_frequent(word: str, cutoff: float = RARE_ZIPF) -> bool:
    """True when the word form itself is among the frequent Dutch words."""
    return zipf(word.lower()) >= cutoff


def is_transparent_compound(
    word: str, cutoff: float = COMPOUND_PART_ZIPF, parts: int = MAX_COMPOUND_PARTS
) -> bool:
    """True when ``word`` splits into 2..``parts`` well-known parts: bank+gegevens, gezondheid+s+verklaring."""
    lowered = word.lower()
    if parts < 2 or not lowered.replace("'", "").replace("’", "").isalpha():
        return False
    for cut in range(MIN_COMPOUND_PART, len(lowered) - MIN_COMPOUND_PART + 1):
        head, tail = lowered[:cut], lowered[cut:]
        if head in NOT_A_HEAD:
            continue
        heads = [head]
        if head.endswith("s") and len(head) > MIN_COMPOUND_PART:
            heads.append(head[:-1])  # linking s: gezondheids-verklaring
        if not any(zipf(h) >= cutoff for h in heads):
            continue
        if zipf(tail) >= cutoff or is_transparent_compound(tail, cutoff, parts - 1):
            return True
    return False


def is_explained(term: AllowedTerm, sentences: list[str]) -> bool:
    """True when one of ``sentences`` explains the term.

    Counted as an explanation: the term is the subject of a sentence with "is"/"zijn" ("Een toeslag is
    ..."); the term stands in a naming sentence ("Dat heet phishing.", "Machtigen betekent: ..."); the
    next sentence starts with "Dat is"/"Dit heet" ...; or the term is given in brackets after the full
    word ("burgerservicenummer (BSN)"). A heuristic, documented in docs/quality.md; a reviewer still
    reads the text.
    """
    for index, sentence in enumerate(sentences):
        if not any(term.matches(token) for token in words(sentence)):
            continue
        subject = _DEFINITION.match(sentence)
        if subject and any(term.matches(token) for token in words(subject.group(1))):
            return True
        if _NAMING.search(sentence):
            return True
        bracketed = " ".join(_BRACKETS.findall(sentence))
        if any(term.matches(token) for token in words(bracketed)):
            return True
        if index + 1 < len(sentences) and _EXPLAINS_PREVIOUS.match(sentences[index + 1]):
            return True
    return False


def load_allowed_terms(path: Path = ALLOWED_TERMS_FILE) -> tuple[AllowedTerm, ...]:
    """Read the allow-list; every entry needs a pattern, a kind (name or term) and a reason."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AllowListError(f"{path}: cannot read: {exc}") from exc
    entries = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AllowListError(f"{path}: top level must be a mapping with a 'terms' list")
    terms: list[AllowedTerm] = []
    for index, entry in enumerate(entries):
        where = f"{path.name}: terms[{index}]"
        if not isinstance(entry, dict):
            raise AllowListError(f"{where}: must be a mapping with term, kind and why")
        pattern, kind, why = entry.get("term"), entry.get("kind"), entry.get("why")
        if not isinstance(pattern, str) or not pattern.strip():
            raise AllowListError(f"{where}: field 'term' must be a non-empty string")
        if kind not in TERM_KINDS:
            raise AllowListError(f"{where} ({pattern}): field 'kind' must be one of {TERM_KINDS}")
        if not isinstance(why, str) or not why.strip():
            raise AllowListError(f"{where} ({pattern}): field 'why' must say why the term is needed")
        terms.append(AllowedTerm(pattern=pattern.strip().lower(), kind=kind, why=why.strip()))
    return tuple(terms)
