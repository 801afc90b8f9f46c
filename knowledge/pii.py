"""Finds Dutch personal data in a resident's message and replaces it with placeholders.

Runs on every incoming text before it reaches Rasa, the tracker, a log line or the outbox, in
both environments (Python 3.10 and 3.11). Depends only on the stdlib, python-stdnum and
phonenumbers. The rules and the figures behind them are in ``docs/privacy.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

BSN = "BSN"
IBAN = "IBAN"
TELEFOON = "TELEFOON"
POSTCODE = "POSTCODE"
EMAIL = "E-MAIL"
GEBOORTEDATUM = "GEBOORTEDATUM"

# When two findings overlap, the kind listed first wins. An IBAN holds a run of ten digits
# that can look like a landline; a phone number is more specific than a bare 9-digit run.
KINDS: tuple[str, ...] = (EMAIL, IBAN, TELEFOON, GEBOORTEDATUM, BSN, POSTCODE)
_PRIORITY: dict[str, float] = {kind: rank for rank, kind in enumerate(KINDS)}
_BSN_WITH_CONTEXT_RANK = _PRIORITY[TELEFOON] - 0.5

# How far (in characters) a context word may be from the number or date it qualifies.
_CONTEXT_BEFORE = 40
_CONTEXT_AFTER = 30
_BORN_AFTER = 25

_SEP = r"[ \u00a0.\-]"

# ---- e-mail ---------------------------------------------------------------------------------
_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")

# ---- IBAN -----------------------------------------------------------------------------------
# Two letters, two check digits, then 11-30 letters or digits, optionally split by single
# spaces, dots or dashes. The candidate is trimmed to the length that validates.
_IBAN_CANDIDATE_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2} ?[0-9]{2}(?:[ .\-]?[A-Za-z0-9]){11,30}", re.ASCII
)
# A Dutch IBAN has a fixed shape; anything in this shape is treated as an account number even
# when a typo breaks the checksum, because a near-miss still points at one person's account.
_NL_IBAN_SHAPE_RE = re.compile(r"NL[0-9]{2}[A-Z]{4}[0-9]{10}")
_IBAN_MIN_LEN = 15
_IBAN_MAX_LEN = 34

# ---- telephone ------------------------------------------------------------------------------
# phonenumbers finds valid numbers; this catches Dutch mobile numbers whose range is not (yet)
# in phonenumbers' metadata, e.g. 069..., so a resident's 06-number never depends on it.
_MOBILE_SHAPE_RE = re.compile(
    r"(?<![0-9+])(?:(?:\+31|0031)[ \-]?(?:\(0\)[ \-]?)?0?|\(?0)6\)?(?:[ .\-/]{0,3}[0-9]){8}"
    r"(?![0-9])"
)
_MIN_PHONE_DIGITS = 5

# ---- dates of birth -------------------------------------------------------------------------
_MONTHS = (
    r"(?:januari|jan|februari|feb|maart|mrt|april|apr|mei|juni|jun|juli|jul|augustus|aug"
    r"|september|sept|sep|oktober|okt|november|nov|december|dec)\.?"
)
_DATE_RE = re.compile(
    r"(?<![0-9])(?:"
    r"(?:0?[1-9]|[12][0-9]|3[01])[\-/.](?:0?[1-9]|1[0-2])[\-/.](?:19|20)?[0-9]{2}"
    r"|(?:19|20)[0-9]{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])"
    r"|(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])(?:19|20)[0-9]{2}"
    r"|(?:0?[1-9]|[12][0-9]|3[01])(?:e|ste|de)?\s+" + _MONTHS + r"(?![^\W\d_])"
    r"(?:\s+(?:19|20)?[0-9]{2}(?![0-9]))?"
    r")(?![0-9]|[\-/.][0-9])",
    re.IGNORECASE,
)
_BIRTH_CONTEXT_RE = re.compile(
    r"\b(?:geboren|geboorte\s?datum|geboortedag|geb\.?(?:\s?datum)?|verjaardag|jarig)(?![a-z])",
    re.IGNORECASE,
)
_BORN_RE = re.compile(r"\bgeboren\b", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?;:\n]")

# ---- BSN ------------------------------------------------------------------------------------
# Maximal groups of digit runs joined by single separators ("123 456 782", "1234.56.782").
_DIGIT_GROUP_RE = re.compile(r"[0-9]+(?:" + _SEP + r"[0-9]+)*")
_DIGIT_RUN_RE = re.compile(r"[0-9]+")
_BSN_CONTEXT_RE = re.compile(
    r"(?<!\[)\b(?:b\.?s\.?n|burger\s?service\s?n(?:umme)?r|sofi(?:[\s\-]?n(?:umme)?r)?"
    r"|persoonsnummer|mijn\s+nummer\s+is)\b(?!\])",
    re.IGNORECASE,
)
_DATE_SHAPE_RE = re.compile(r"[0-9]{1,2}" + _SEP + r"[0-9]{1,2}" + _SEP + r"[0-9]{4}")

# ---- postcode -------------------------------------------------------------------------------
_POSTCODE_RE = re.compile(
    r"(?<![\w\-])[1-9][0-9]{3}(?P<space> ?)(?P<letters>[A-Za-z]{2})(?![^\W\d_])"
)
_POSTCODE_EXCLUDED = frozenset({"SA", "SD", "SS"})
# Two-letter Dutch words and units: "in 2024 is", "1950 en". After a space they count as a
# postcode only with a postcode word nearby, or when typed in capitals in a mixed-case text.
_TWO_LETTER_WORDS = frozenset(
    "al am bv ca cm de en er eu ff ga ha he ik in is ja je kg km mb me mm na nl nu of ok om "
    "op pc pm te tv uw we zo ze".split()
)
_POSTCODE_CONTEXT_RE = re.compile(r"postcode|adres|woon|wonen", re.IGNORECASE)


@dataclass(frozen=True)
class MaskResult:
    """A masked text and the kinds of personal data that were found.

    Attributes:
        text: The text with every finding replaced by ``[KIND]``.
        found: Kinds found, each once, in the order they first appear in the text.
    """

    text: str
    found: list[str]


@dataclass(frozen=True)
class PiiMatch:
    """One finding: its kind and the half-open character span ``[start, end)`` in the text."""

    kind: str
    start: int
    end: int


def placeholder(kind: str) -> str:
    """Return the placeholder that replaces a finding of ``kind``, e.g. ``[BSN]``.

    Args:
        kind: One of :data:`KINDS`.

    Returns:
        The kind in square brackets.
    """
    return f"[{kind}]"


def mask_pii(text: str) -> MaskResult:
    """Replace Dutch personal data in ``text`` by placeholders.

    Args:
        text: A message as the resident typed it.

    Returns:
        The masked text and the kinds found. Text without personal data comes back unchanged.

    Raises:
        TypeError: When ``text`` is not a string.
    """
    matches = find_pii(text)
    if not matches:
        return MaskResult(text=text, found=[])
    parts: list[str] = []
    position = 0
    found: list[str] = []
    for match in matches:
        parts.append(text[position : match.start])
        parts.append(placeholder(match.kind))
        position = match.end
        if match.kind not in found:
            found.append(match.kind)
    parts.append(text[position:])
    return MaskResult(text="".join(parts), found=found)


def find_pii(text: str, *, bsn_needs_context: bool = False) -> list[PiiMatch]:
    """Find personal data in ``text``.

    Args:
        text: A message as the resident typed it.
        bsn_needs_context: When true, a 9-digit number that passes the 11-proef counts as a
            BSN only with a context word nearby. The default (false) masks every such number;
            ``scripts/pii_report.py`` measures both on the corpus.

    Returns:
        Non-overlapping findings, sorted by position.

    Raises:
        TypeError: When ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"mask_pii expects str, got {type(text).__name__}")
    has_digits = any(char.isdigit() for char in text)
    if not has_digits and "@" not in text:
        return []
    ranked = [(_PRIORITY[m.kind], m) for m in _find_emails(text)]
    if has_digits:
        for finder in (_find_ibans, _find_phones, _find_birth_dates, _find_postcodes):
            ranked.extend((_PRIORITY[m.kind], m) for m in finder(text))
        for match, near_context in _find_bsns(text, needs_context=bsn_needs_context):
            # "Mijn BSN is 080000009" is also a valid 0800-number; the context word decides.
            rank = _BSN_WITH_CONTEXT_RANK if near_context else _PRIORITY[BSN]
            ranked.append((rank, match))
    return _resolve_overlaps(ranked)


def _resolve_overlaps(ranked: Iterable[tuple[float, PiiMatch]]) -> list[PiiMatch]:
    """Keep the best-ranked finding where findings overlap; sort the rest by position."""
    accepted: list[PiiMatch] = []
    for _, candidate in sorted(ranked, key=lambda r: (r[0], r[1].start, -r[1].end)):
        if all(candidate.end <= kept.start or candidate.start >= kept.end for kept in accepted):
            accepted.append(candidate)
    return sorted(accepted, key=lambda m: m.start)


def _find_emails(text: str) -> Iterator[PiiMatch]:
    for match in _EMAIL_RE.finditer(text):
        yield PiiMatch(EMAIL, match.start(), match.end())


def _find_ibans(text: str) -> Iterator[PiiMatch]:
    position = 0
    while match := _IBAN_CANDIDATE_RE.search(text, position):
        # The candidate may run on into the next word or the next IBAN; keep the valid prefix
        # and look for the next candidate right after it.
        positions = [match.start() + i for i, char in enumerate(match.group()) if char.isalnum()]
        compact = "".join(text[i] for i in positions).upper()
        length = _valid_iban_length(compact)
        if length:
            yield PiiMatch(IBAN, positions[0], positions[length - 1] + 1)
            position = positions[length - 1] + 1
        else:
            position = match.start() + 1


def _valid_iban_length(compact: str) -> int:
    """Return the length of the longest prefix of ``compact`` that is an IBAN, or 0."""
    if _NL_IBAN_SHAPE_RE.match(compact):
        return 18
    for length in range(min(len(compact), _IBAN_MAX_LEN), _IBAN_MIN_LEN - 1, -1):
        # check_country=False: the national bank-code registries in python-stdnum are
        # incomplete (the ECBS example BE68 5390 0754 7034 fails them); mod-97 is the ISO check.
        if stdnum_iban.is_valid(compact[:length], check_country=False):
            return length
    return 0


def _find_phones(text: str) -> Iterator[PiiMatch]:
    if sum(char.isdigit() for char in text) < _MIN_PHONE_DIGITS:
        return
    for match in phonenumbers.PhoneNumberMatcher(text, "NL"):
        # A bare run such as "101234567" can parse as a number without its trunk 0; residents
        # write the 0 or +, and bare 9-digit runs are judged by the BSN rule instead.
        if match.raw_string[0] in "0+(" and not _starts_with_date(match.raw_string):
            yield PiiMatch(TELEFOON, match.start, match.end)
    for match in _MOBILE_SHAPE_RE.finditer(text):
        if not _starts_with_date(match.group()):
            yield PiiMatch(TELEFOON, match.start(), match.end())


def _starts_with_date(candidate: str) -> bool:
    """Tell whether a phone-shaped candidate is really a date, e.g. "06-12-2024 12" of 12:00."""
    return _DATE_RE.match(candidate) is not None


def _find_birth_dates(text: str) -> Iterator[PiiMatch]:
    dates = list(_DATE_RE.finditer(text))
    if not dates:
        return
    for context in _BIRTH_CONTEXT_RE.finditer(text):
        # The first date after a context word is the date of birth; later ones are not.
        following = [d for d in dates if 0 <= d.start() - context.end() <= _CONTEXT_BEFORE]
        if following:
            first = min(following, key=lambda d: d.start())
            yield PiiMatch(GEBOORTEDATUM, first.start(), first.end())
    for born in _BORN_RE.finditer(text):
        # "ik ben op 12-03-1950 geboren": the date just before the word, in the same sentence.
        preceding = [d for d in dates if 0 <= born.start() - d.end() <= _BORN_AFTER]
        if preceding:
            last = max(preceding, key=lambda d: d.start())
            if not _SENTENCE_END_RE.search(text, last.end() - 1, born.start()):
                yield PiiMatch(GEBOORTEDATUM, last.start(), last.end())


def _find_bsns(text: str, *, needs_context: bool) -> Iterator[tuple[PiiMatch, bool]]:
    """Yield BSN findings, each with whether a context word is near it."""
    contexts: list[tuple[int, int]] | None = None
    for group in _DIGIT_GROUP_RE.finditer(text):
        runs = [
            (group.start() + run.start(), group.start() + run.end())
            for run in _DIGIT_RUN_RE.finditer(group.group())
        ]
        if sum(end - start for start, end in runs) < 8:
            continue
        for start, end in _bsn_spans(runs):
            if _DATE_SHAPE_RE.fullmatch(text[start:end]):
                continue
            digits = re.sub(r"[^0-9]", "", text[start:end])
            passes = stdnum_bsn.is_valid(digits)
            if contexts is None:
                contexts = [(m.start(), m.end()) for m in _BSN_CONTEXT_RE.finditer(text)]
            near = any(
                0 <= start - c_end <= _CONTEXT_BEFORE or 0 <= c_start - end <= _CONTEXT_AFTER
                for c_start, c_end in contexts
            )
            # With a context word a checksum failure is most likely a typo in a real BSN.
            if (near and (len(digits) == 9 or passes)) or (
                passes and len(digits) == 9 and not needs_context
            ):
                yield PiiMatch(BSN, start, end), near


def _bsn_spans(runs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Yield every span of consecutive runs that holds 8 or 9 digits in total."""
    for first in range(len(runs)):
        total = 0
        for last in range(first, len(runs)):
            total += runs[last][1] - runs[last][0]
            if total > 9:
                break
            if total >= 8:
                yield runs[first][0], runs[last][1]


def _find_postcodes(text: str) -> Iterator[PiiMatch]:
    mixed_case = any(char.islower() for char in text)
    for match in _POSTCODE_RE.finditer(text):
        letters = match.group("letters")
        if letters.upper() in _POSTCODE_EXCLUDED:
            continue
        if match.group("space") and letters.lower() in _TWO_LETTER_WORDS:
            capitals = letters.isupper() and mixed_case
            window = text[max(0, match.start() - _CONTEXT_BEFORE) : match.start()]
            if not capitals and not _POSTCODE_CONTEXT_RE.search(window):
                continue
        yield PiiMatch(POSTCODE, match.start(), match.end())
