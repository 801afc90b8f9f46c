"""Finds Dutch personal data in a resident's message and replaces it with placeholders.

Runs on every incoming text before it reaches Rasa, the tracker, a log line or the outbox, in
both environments (Python 3.10 and 3.11). Depends only on the stdlib, python-stdnum and
phonenumbers (and PyYAML, through ``knowledge.pii_names``, which finds names and street addresses).
The rules and the figures behind them are in ``docs/privacy.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from knowledge.pii_names import find_addresses, find_names

BSN = "BSN"
IBAN = "IBAN"
TELEFOON = "TELEFOON"
POSTCODE = "POSTCODE"
EMAIL = "E-MAIL"
GEBOORTEDATUM = "GEBOORTEDATUM"
ADRES = "ADRES"
NAAM = "NAAM"

# When two findings overlap, the kind listed first wins. An IBAN holds a run of ten digits
# that can look like a landline; a phone number is more specific than a bare 9-digit run.
# Names and addresses come last: their patterns are the loosest.
KINDS: tuple[str, ...] = (EMAIL, IBAN, TELEFOON, GEBOORTEDATUM, BSN, POSTCODE, ADRES, NAAM)
_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}
# Each round removes digits, so few rounds are ever needed; the cap only bounds the work.
_MAX_ROUNDS = 4

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
_IBAN_CANDIDATE_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?[0-9]{2}(?:[ .\-]?[A-Za-z0-9]){11,30}", re.ASCII)
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
# A Dutch mobile number with the country code but without "+" or "00", as in wa.me links
# ("wa.me/31612345678") and copied WhatsApp contacts.
_NO_PLUS_MOBILE_RE = re.compile(r"(?<![0-9])316(?:[ .\-]?[0-9]){8}(?![0-9])")
# Any number in a WhatsApp click-to-chat link is a phone number, whatever the country.
_WA_ME_RE = re.compile(r"wa\.me/\+?(?P<number>[0-9]{6,15})(?![0-9])", re.IGNORECASE)

# ---- Unicode normalisation ------------------------------------------------------------------
# Zero-width characters split a number without showing; NFKC keeps them, so they are removed.
_ZERO_WIDTH_RE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
# Separators NFKC leaves alone (it already folds no-break, thin, narrow and ideographic spaces).
_ODD_SPACE_RE = re.compile("[\u1680\u2028\u2029]")

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
    r"(?<!\[)\b(?:geboren|geboorte\s?datum|geboortedag|geb\.?(?:\s?datum)?|verjaardag|jarig)(?![a-z])",
    re.IGNORECASE,
)
_BORN_RE = re.compile(r"\b(?:geboren|jarig)\b", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?;:\n]")
_BIRTH_PLACEHOLDER_RE = re.compile(re.escape(f"[{GEBOORTEDATUM}]"))

# ---- BSN ------------------------------------------------------------------------------------
# Maximal groups of digit runs joined by single separators ("123 456 782", "1234.56.782").
# Not after a decimal comma: "€ 802,02 1 110 219" is an amount and some numbers.
_DIGIT_GROUP_RE = re.compile(r"(?<![0-9],)[0-9]+(?:" + _SEP + r"[0-9]+)*")
_DIGIT_RUN_RE = re.compile(r"[0-9]+")
_BSN_CONTEXT_RE = re.compile(
    r"(?<!\[)\b(?:b\.?s\.?n|burger\s?service\s?n(?:umme)?r|sofi(?:[\s\-]?n(?:umme)?r)?"
    r"|persoonsnummer|fiscaal\s?nummer|aanslag\s?nummer|mijn\s+nummer\s+is)\b(?!\])",
    re.IGNORECASE,
)
_BSN_MAX_RUNS = 3
_DATE_SHAPE_RE = re.compile(r"[0-9]{1,2}" + _SEP + r"[0-9]{1,2}" + _SEP + r"[0-9]{4}")

# ---- postcode -------------------------------------------------------------------------------
_POSTCODE_RE = re.compile(r"(?<![\w\-])[1-9][0-9]{3}(?P<space> ?)(?P<letters>[A-Za-z]{2})(?![^\W\d_])")
_POSTCODE_EXCLUDED = frozenset({"SA", "SD", "SS"})
# Two-letter Dutch words and units: "in 2024 is", "1950 en". After a space they count as a
# postcode only with a postcode word nearby, or when typed in capitals in a mixed-case text.
_TWO_LETTER_WORDS = frozenset(
    {
        "al", "am", "bv", "ca", "cm", "de", "en", "er", "eu", "ff", "ga", "ha", "he",
        "ik", "in", "is", "ja", "je", "kg", "km", "mb", "me", "mm", "na", "nl", "nu",
        "of", "ok", "om", "op", "pc", "pm", "te", "tv", "uw", "we", "zo", "ze",
    }
)  # fmt: skip
# Context patterns never match inside a placeholder such as "[POSTCODE]": masking must not
# create context for the next round.
_POSTCODE_CONTEXT_RE = re.compile(r"(?<!\[)(?:postcode|adres|woon|wonen)", re.IGNORECASE)


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
class _Finding:
    """One finding: its kind and the half-open character span ``[start, end)``."""

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


def mask_pii(text: str, *, bsn_needs_context: bool = False) -> MaskResult:
    """Replace Dutch personal data in ``text`` by placeholders.

    Detection runs again on the masked text until nothing new is found: removing one number
    can uncover another (a BSN and a phone number typed one after the other read as one long
    number), and it makes masking idempotent.

    Args:
        text: A message as the resident typed it.
        bsn_needs_context: When true, a 9-digit number that passes the 11-proef counts as a
            BSN only with a context word nearby. The default (false) masks every such number;
            ``scripts/pii_report.py`` measures both on the corpus.

    Returns:
        The masked text and the kinds found. Text without personal data comes back unchanged.

    Raises:
        TypeError: When ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"mask_pii expects str, got {type(text).__name__}")
    original = text
    text = normalise(text)
    found: list[str] = []
    for round_number in range(_MAX_ROUNDS):
        findings = _find_round(text, bsn_needs_context=bsn_needs_context, names=round_number == 0)
        if not findings:
            break
        text = _replace(text, findings)
        found.extend(kind for kind in dict.fromkeys(f.kind for f in findings) if kind not in found)
    if not found:
        # Nothing to mask: hand back exactly what the resident typed, not the normalised form.
        return MaskResult(text=original, found=[])
    return MaskResult(text=text, found=found)


def normalise(text: str) -> str:
    """Fold the text to the form the rules are written for.

    NFKC turns full-width and other compatibility digits ("０６１２...") into ASCII digits and
    most odd spaces into U+0020; zero-width characters are removed and the remaining Unicode
    spaces become U+0020, so a separator a resident (or a copied contact card) put inside a
    BSN or phone number does not hide it. Linear in the length of the text.

    Args:
        text: A message as the resident typed it.

    Returns:
        The normalised text; when a finding is masked, the masked text is in this form.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    return _ODD_SPACE_RE.sub(" ", text)


def _replace(text: str, findings: list[_Finding]) -> str:
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(placeholder(finding.kind))
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def _find_round(text: str, *, bsn_needs_context: bool, names: bool) -> list[_Finding]:
    """Find personal data once; return non-overlapping findings sorted by position.

    Names are looked for in the first round only: a placeholder starts with "[", which no name
    cue reaches across, so masking another kind never uncovers a name (and the idempotence
    property tests check that). It saves a scan of every message that held a number.
    """
    has_digits = any(char.isdigit() for char in text)
    findings = [_Finding(NAAM, start, end) for start, end in find_names(text)] if names else []
    if "@" in text:
        findings.extend(_find_emails(text))
    if has_digits:
        findings.extend(_Finding(ADRES, start, end) for start, end in find_addresses(text))
        for finder in (_find_ibans, _find_phones, _find_birth_dates, _find_postcodes):
            findings.extend(finder(text))
        bsns = list(_find_bsns(text, needs_context=bsn_needs_context))
        # "Mijn BSN is 080000009" is also a valid 0800-number: with a context word, the BSN
        # reading wins over a phone number that lies within it.
        strong = [finding for finding, near in bsns if near]
        findings = [
            f
            for f in findings
            if f.kind != TELEFOON or not any(s.start <= f.start and f.end <= s.end for s in strong)
        ]
        findings.extend(finding for finding, _ in bsns)
    return _resolve_overlaps(findings)


def _resolve_overlaps(findings: Iterable[_Finding]) -> list[_Finding]:
    """Keep the highest-priority finding where findings overlap; sort the rest by position."""
    accepted: list[_Finding] = []
    for candidate in sorted(findings, key=lambda f: (_PRIORITY[f.kind], f.start, -f.end)):
        if all(candidate.end <= kept.start or candidate.start >= kept.end for kept in accepted):
            accepted.append(candidate)
    return sorted(accepted, key=lambda f: f.start)


def _find_emails(text: str) -> Iterator[_Finding]:
    for match in _EMAIL_RE.finditer(text):
        yield _Finding(EMAIL, match.start(), match.end())


def _find_ibans(text: str) -> Iterator[_Finding]:
    position = 0
    while match := _IBAN_CANDIDATE_RE.search(text, position):
        # The candidate may run on into the next word or the next IBAN; keep the valid prefix
        # and look for the next candidate right after it.
        positions = [match.start() + i for i, char in enumerate(match.group()) if char.isalnum()]
        compact = "".join(text[i] for i in positions).upper()
        length = _valid_iban_length(compact)
        if length:
            yield _Finding(IBAN, positions[0], positions[length - 1] + 1)
            position = positions[length - 1] + 1
        else:
            position = match.start() + 1


def _valid_iban_length(compact: str) -> int:
    """Return the length of the longest prefix of ``compact`` that is an IBAN, or 0."""
    if _NL_IBAN_SHAPE_RE.match(compact):
        return 18
    for length in reversed(_mod97_prefix_lengths(compact)):
        # python-stdnum then checks the country's format. check_country=False: its national
        # bank-code registries are incomplete (the ECBS example BE68 5390 0754 7034 fails
        # them); mod-97 is the ISO 13616 check.
        if stdnum_iban.is_valid(compact[:length], check_country=False):
            return length
    return 0


def _mod97_prefix_lengths(compact: str) -> list[int]:
    """Lengths of the prefixes of ``compact`` that pass ISO 7064 MOD 97-10, in one pass.

    IBAN moves the first four characters to the end and reads letters as 10-35; the running
    remainder of the rest is combined with those four (always six digits) at each length.
    """
    head = int("".join(str(int(char, 36)) for char in compact[:4]))
    remainder = 0
    lengths = []
    for length, char in enumerate(compact[4:_IBAN_MAX_LEN], start=5):
        value = int(char, 36)
        remainder = (remainder * (100 if value >= 10 else 10) + value) % 97
        if length >= _IBAN_MIN_LEN and (remainder * 1_000_000 + head) % 97 == 1:
            lengths.append(length)
    return lengths


def _find_phones(text: str) -> Iterator[_Finding]:
    if sum(char.isdigit() for char in text) < _MIN_PHONE_DIGITS:
        return
    for match in phonenumbers.PhoneNumberMatcher(text, "NL"):
        # A bare run such as "101234567" can parse as a number without its trunk 0; residents
        # write the 0 or +, and bare 9-digit runs are judged by the BSN rule instead.
        if match.raw_string[0] in "0+(" and not _starts_with_date(match.raw_string):
            yield _Finding(TELEFOON, match.start, match.end)
    for shape in _MOBILE_SHAPE_RE.finditer(text):
        if not _starts_with_date(shape.group()):
            yield _Finding(TELEFOON, shape.start(), shape.end())
    for shape in _NO_PLUS_MOBILE_RE.finditer(text):
        yield _Finding(TELEFOON, shape.start(), shape.end())
    for link in _WA_ME_RE.finditer(text):
        yield _Finding(TELEFOON, link.start("number"), link.end("number"))


def _starts_with_date(candidate: str) -> bool:
    """Tell whether a phone-shaped candidate is really a date, e.g. "06-12-2024 12" of 12:00."""
    return _DATE_RE.match(candidate) is not None


def _find_birth_dates(text: str) -> Iterator[_Finding]:
    # A date masked in an earlier round still counts, so the date after it is not taken for
    # the date of birth in the next round.
    dates = [(m.start(), m.end()) for m in _DATE_RE.finditer(text)]
    if not dates:
        return
    taken = [(m.start(), m.end()) for m in _BIRTH_PLACEHOLDER_RE.finditer(text)]
    candidates = sorted(dates + taken)
    for context in _BIRTH_CONTEXT_RE.finditer(text):
        # The first date after a context word is the date of birth; later ones are not.
        following = [d for d in candidates if 0 <= d[0] - context.end() <= _CONTEXT_BEFORE]
        if following and following[0] not in taken:
            yield _Finding(GEBOORTEDATUM, *following[0])
    for born in _BORN_RE.finditer(text):
        # "ik ben op 12-03-1950 geboren", "op 3 mei jarig": the date just before the word, in
        # the same sentence.
        preceding = [d for d in candidates if 0 <= born.start() - d[1] <= _BORN_AFTER]
        if preceding and preceding[-1] not in taken:
            start, end = preceding[-1]
            if not _SENTENCE_END_RE.search(text, end - 1, born.start()):
                yield _Finding(GEBOORTEDATUM, start, end)


def _find_bsns(text: str, *, needs_context: bool) -> Iterator[tuple[_Finding, bool]]:
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
            bare = passes and len(digits) == 9 and not needs_context
            # With a context word a checksum failure is most likely a typo in a real BSN.
            with_context = near and (len(digits) == 9 or passes)
            if bare or with_context:
                yield _Finding(BSN, start, end), near


def _bsn_spans(runs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Yield spans of one to three consecutive runs of 2+ digits, 8 or 9 digits in total.

    That covers "123456782", "123 456 782" and "1234.56.782", not a row of small numbers.
    """
    for first in range(len(runs)):
        total = 0
        for last in range(first, min(first + _BSN_MAX_RUNS, len(runs))):
            length = runs[last][1] - runs[last][0]
            if length < 2:
                break
            total += length
            if total > 9:
                break
            if total >= 8:
                yield runs[first][0], runs[last][1]


def _find_postcodes(text: str) -> Iterator[_Finding]:
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
        yield _Finding(POSTCODE, match.start(), match.end())
