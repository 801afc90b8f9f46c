"""Loads and validates knowledge/message_check.yml: signals, official domains, rules and the verdict texts.

Why a module of its own: the checker (knowledge/message_check.py) must stay a pure function of text and
content, and the content must fail at start-up with file, field and problem, like every other content file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from knowledge.message_check_terms import Term, parse_term
from knowledge.models import Source
from knowledge.validation import Reader, read_yaml

VERDICTS = ("likely_scam", "suspicious", "no_signals")
STRENGTHS = ("strong", "medium")
DETECTORS = (
    "phrases",
    "link_not_official",
    "link_lookalike",
    "link_shortened",
    "link_unexpected",
    "link_unusual",
)
FILE_NAME = "message_check.yml"
DOMAIN_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
# The placeholders a signal text may use; any other {name} would raise at reply time.
PLACEHOLDERS = {"organisation", "official"}
# How far apart (in characters) the facts of one combination may stand, when the content does not say.
DEFAULT_WITHIN = 160


@dataclass(frozen=True)
class Fact:
    """One thing a message can say ("money is offered", "per task"), found by word families or patterns.

    Why facts and not phrases: a scam is recognised by what it combines (an offer of money *and* payment per
    task), and each fact has many wordings; terms (knowledge/message_check_terms.py) allow typing errors.
    """

    id: str
    terms: tuple[Term, ...]
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Combination:
    """Facts that together show a signal, each found within ``within`` characters of the others.

    One fact alone is a combination too: then its word families (with typing errors) are the signal.
    """

    facts: tuple[str, ...]
    within: int = DEFAULT_WITHIN


@dataclass(frozen=True)
class Signal:
    """One sign of fraud: how it is found, how strong it is and how the bot explains it."""

    id: str
    strength: str
    detector: str
    patterns: tuple[re.Pattern[str], ...]
    explanation: str
    simple: str
    rule: str | None
    sources: tuple[Source, ...]
    skip_when_negated: bool = False
    # Patterns that, found in the same sentence as a match, mean it is not this signal ("we storten ... terug").
    unless: tuple[re.Pattern[str], ...] = ()
    # Facts that together show the signal too, whatever the wording (see Fact).
    combinations: tuple[Combination, ...] = ()
    # Not this signal when the message follows an official route (see message_check._official_route).
    official_ok: bool = False
    # Not this signal when its sentence points to an official website or app of an organisation it names:
    # "typ de code in op digid.nl" gives a code to type there, it does not ask for one.
    unless_official: bool = False
    # Not this signal when the message itself gives the resident a code on an official route ("uw
    # activeringscode is A7K3…", links only to the named organisation) and the sentence does not pass it on.
    unless_code_given: bool = False


@dataclass(frozen=True)
class OfficialOrganisation:
    """An organisation scam messages pretend to be, with the domains it really uses."""

    id: str
    name: str
    names: tuple[re.Pattern[str], ...]
    domains: tuple[str, ...]
    sends_links: bool
    rule: str | None
    source: Source
    verify: bool


@dataclass(frozen=True)
class Rule:
    """An official rule residents can rely on ("DigiD never sends a link"), with its source."""

    id: str
    text: str
    source: Source


@dataclass(frozen=True)
class Verdict:
    """The wording of one outcome, and its simpler version."""

    id: str
    text: str
    simple: str


@dataclass(frozen=True)
class AfterAdvice:
    """What to do when the resident already clicked, paid or typed a code."""

    intro: str
    items: tuple[str, ...]
    simple: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class MessageCheckContent:
    """Everything the message check says and knows, validated."""

    referral: str
    texts: dict[str, str]
    verdicts: dict[str, Verdict]
    after: AfterAdvice
    rules: dict[str, Rule]
    signals: tuple[Signal, ...]
    shorteners: frozenset[str]
    organisations: tuple[OfficialOrganisation, ...]
    lookalike_ignore: frozenset[str] = frozenset()
    facts: dict[str, Fact] = field(default_factory=dict)
    # Signs of an official route: a payment reference of the organisation, or "u hoeft niets te doen".
    official_markers: tuple[re.Pattern[str], ...] = ()
    # Top-level domains that organisations residents deal with hardly ever use in their messages.
    unusual_tlds: frozenset[str] = frozenset()
    # Signs that a message warns about a trick ("wij vragen nooit ...", "oplichters doen zich voor als ...").
    warning_markers: tuple[re.Pattern[str], ...] = ()
    # Signs that the message hands the resident a code to use ("uw machtigingscode is R7W2…"): an official route
    # for codes, and a sign of an official route for money and checks too.
    code_given_markers: tuple[re.Pattern[str], ...] = ()
    # Signs that a sentence passes a code on to the sender ("aan onze medewerker", "in de chat", "stuur door"):
    # then no official site or app in the message excuses the request.
    code_handover_markers: tuple[re.Pattern[str], ...] = ()
    # Signs that a sentence names the sender as the receiver ("geef ons", "hier in de chat"): in a message read
    # as a warning, a strong signal in such a sentence still counts.
    warning_asks_markers: tuple[re.Pattern[str], ...] = ()

    def signal(self, signal_id: str) -> Signal:
        """The signal with this id (KeyError when unknown)."""
        for signal in self.signals:
            if signal.id == signal_id:
                return signal
        raise KeyError(signal_id)


REQUIRED_TEXTS = {"signal_line", "signal_line_simple", "rule_intro", "more_signals"}


def _source(data: Any, where: str, problems: list[str]) -> Source:
    r = Reader(data, where, problems, {"url", "name", "checked_on"})
    return Source(url=r.url("url") or "", checked_on=r.day("checked_on"), name=r.text("name") or "")


def _sources(r: Reader, field: str, problems: list[str]) -> tuple[Source, ...]:
    out = tuple(_source(item, f"{r.where}: {field}[{i}]", problems) for i, item in enumerate(r.items(field)))
    if not out:
        r.fail(field, "at least one source is required")
    return out


def _patterns(r: Reader, field: str, required: bool) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for index, pattern in enumerate(r.texts(field, required=required)):
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            r.fail(f"{field}[{index}]", f"not a valid pattern: {exc}")
    return tuple(compiled)


def _placeholders_ok(r: Reader, field: str, text: str) -> None:
    used = set(re.findall(r"\{(\w*)\}", text))
    if used - PLACEHOLDERS:
        r.fail(field, f"unknown placeholder(s) {sorted(used - PLACEHOLDERS)}; allowed: {sorted(PLACEHOLDERS)}")


def _signal(item: Any, where: str, problems: list[str]) -> Signal:
    allowed = {"id", "strength", "detector", "patterns", "unless", "skip_when_negated", "explanation", "simple",
               "rule", "sources", "combinations", "official_ok", "unless_official",
               "unless_code_given"}  # fmt: skip
    r = Reader(item, where, problems, allowed)
    strength = r.text("strength") or ""
    if strength and strength not in STRENGTHS:
        r.fail("strength", f"'{strength}' must be one of {list(STRENGTHS)}")
    detector = r.text("detector", required=False) or "phrases"
    if detector not in DETECTORS:
        r.fail("detector", f"'{detector}' must be one of {list(DETECTORS)}")
    combinations = _combinations(r, where, problems)
    patterns = _patterns(r, "patterns", required=detector == "phrases" and not combinations)
    if detector != "phrases" and (patterns or combinations):
        r.fail("patterns", f"only the 'phrases' detector uses patterns and combinations, not '{detector}'")
    explanation = r.text("explanation") or ""
    simple = r.text("simple") or ""
    _placeholders_ok(r, "explanation", explanation)
    _placeholders_ok(r, "simple", simple)
    return Signal(
        id=r.ident("id"),
        strength=strength,
        detector=detector,
        patterns=patterns,
        explanation=explanation,
        simple=simple,
        rule=r.text("rule", required=False),
        sources=_sources(r, "sources", problems),
        skip_when_negated=r.flag("skip_when_negated", default=False),
        unless=_patterns(r, "unless", required=False),
        combinations=combinations,
        official_ok=r.flag("official_ok", default=False),
        unless_official=r.flag("unless_official", default=False),
        unless_code_given=r.flag("unless_code_given", default=False),
    )


def _combinations(r: Reader, where: str, problems: list[str]) -> tuple[Combination, ...]:
    out = []
    for index, item in enumerate(r.items("combinations", required=False)):
        cr = Reader(item, f"{where}: combinations[{index}]", problems, {"facts", "within"})
        facts = cr.texts("facts")
        within = cr.raw("within", required=False)
        if within is not None and (not isinstance(within, int) or isinstance(within, bool) or within <= 0):
            cr.fail("within", "must be a positive whole number of characters")
            within = None
        if not facts:
            cr.fail("facts", "a combination needs at least one fact")
        out.append(Combination(facts=facts, within=within or DEFAULT_WITHIN))
    return tuple(out)


def _fact(item: Any, where: str, problems: list[str]) -> Fact:
    r = Reader(item, where, problems, {"id", "terms", "patterns"})
    terms = []
    for index, term in enumerate(r.texts("terms", required=False)):
        try:
            terms.append(parse_term(term))
        except ValueError as exc:
            r.fail(f"terms[{index}]", str(exc))
    patterns = _patterns(r, "patterns", required=False)
    if not terms and not patterns:
        r.fail("terms", "a fact needs terms or patterns")
    return Fact(id=r.ident("id"), terms=tuple(terms), patterns=patterns)


def _organisation(item: Any, where: str, problems: list[str]) -> OfficialOrganisation:
    allowed = {"id", "name", "names", "domains", "sends_links", "rule", "source", "verify"}
    r = Reader(item, where, problems, allowed)
    domains = tuple(d.lower() for d in r.texts("domains"))
    for index, domain in enumerate(domains):
        if not DOMAIN_RE.match(domain):
            r.fail(f"domains[{index}]", f"'{domain}' is not a domain like digid.nl")
    return OfficialOrganisation(
        id=r.ident("id"),
        name=r.text("name") or "",
        names=_patterns(r, "names", required=True),
        domains=domains,
        sends_links=r.flag("sends_links", default=True),
        rule=r.text("rule", required=False),
        source=_source(r.raw("source"), f"{where}: source", problems),
        verify=r.flag("verify"),
    )


def parse(data: Any, where: str, problems: list[str]) -> MessageCheckContent:
    """Build the content from parsed YAML, recording every problem as ``file: field: problem``."""
    allowed = {"referral", "texts", "verdicts", "after", "rules", "signals", "shorteners", "organisations",
               "lookalike_ignore", "facts", "official_markers", "unusual_tlds",
               "warning_markers", "code_given_markers", "code_handover_markers",
               "warning_asks_markers"}  # fmt: skip
    top = Reader(data if data is not None else {}, where, problems, allowed)
    texts = {str(k): " ".join(str(v).split()) for k, v in top.mapping("texts").items() if isinstance(v, str)}
    for key in sorted(REQUIRED_TEXTS - set(texts)):
        top.fail(f"texts.{key}", "is required")
    verdicts = {}
    raw_verdicts = top.mapping("verdicts")
    for verdict_id in VERDICTS:
        vwhere = f"{where}: verdicts.{verdict_id}"
        vr = Reader(raw_verdicts.get(verdict_id), vwhere, problems, {"text", "simple"})
        verdicts[verdict_id] = Verdict(verdict_id, text=vr.text("text") or "", simple=vr.text("simple") or "")
    for extra in sorted(set(raw_verdicts) - set(VERDICTS), key=str):
        top.fail(f"verdicts.{extra}", f"unknown verdict; allowed: {list(VERDICTS)}")
    ar = Reader(top.raw("after"), f"{where}: after", problems, {"intro", "items", "simple", "sources"})
    items = []
    for index, item in enumerate(ar.items("items")):
        ir = Reader(item, f"{where}: after.items[{index}]", problems, {"id", "text"})
        ir.ident("id")
        items.append(ir.text("text") or "")
    after = AfterAdvice(
        intro=ar.text("intro") or "",
        items=tuple(items),
        simple=ar.text("simple") or "",
        sources=_sources(ar, "sources", problems),
    )
    rules = {}
    for index, item in enumerate(top.items("rules")):
        rr = Reader(item, f"{where}: rules[{index}]", problems, {"id", "text", "source"})
        rule = Rule(
            id=rr.ident("id"),
            text=rr.text("text") or "",
            source=_source(rr.raw("source"), f"{where}: rules[{index}]: source", problems),
        )
        if rule.id in rules:
            rr.fail("id", f"'{rule.id}' is defined twice")
        rules[rule.id] = rule
    signals = tuple(
        _signal(item, f"{where}: signals[{i}]", problems) for i, item in enumerate(top.items("signals"))
    )
    organisations = tuple(
        _organisation(item, f"{where}: organisations[{i}]", problems)
        for i, item in enumerate(top.items("organisations"))
    )
    shorteners = frozenset(s.lower() for s in top.texts("shorteners"))
    facts: dict[str, Fact] = {}
    for index, item in enumerate(top.items("facts", required=False)):
        fact = _fact(item, f"{where}: facts[{index}]", problems)
        if fact.id in facts:
            problems.append(f"{where}: facts[{index}]: field 'id': '{fact.id}' is defined twice")
        facts[fact.id] = fact
    content = MessageCheckContent(
        referral=top.ident("referral"),
        texts=texts,
        verdicts=verdicts,
        after=after,
        rules=rules,
        signals=signals,
        shorteners=shorteners,
        organisations=organisations,
        lookalike_ignore=frozenset(w.lower() for w in top.texts("lookalike_ignore", required=False)),
        facts=facts,
        official_markers=_patterns(top, "official_markers", required=False),
        unusual_tlds=frozenset(t.lower().lstrip(".") for t in top.texts("unusual_tlds", required=False)),
        warning_markers=_patterns(top, "warning_markers", required=False),
        code_given_markers=_patterns(top, "code_given_markers", required=False),
        code_handover_markers=_patterns(top, "code_handover_markers", required=False),
        warning_asks_markers=_patterns(top, "warning_asks_markers", required=False),
    )
    _cross_check(content, where, problems)
    return content


class _Identified(Protocol):
    """A signal or an organisation: an id that must be unique, and an optional rule that must exist."""

    @property
    def id(self) -> str: ...

    @property
    def rule(self) -> str | None: ...


def _cross_check(content: MessageCheckContent, where: str, problems: list[str]) -> None:
    groups: tuple[tuple[str, Sequence[_Identified]], ...] = (
        ("signals", content.signals),
        ("organisations", content.organisations),
    )
    for field_name, items in groups:
        seen: set[str] = set()
        for index, item in enumerate(items):
            at = f"{where}: {field_name}[{index}]"
            if item.id in seen:
                problems.append(f"{at}: field 'id': '{item.id}' is defined twice")
            seen.add(item.id)
            if item.rule and item.rule not in content.rules:
                problems.append(f"{at}: field 'rule': unknown rule '{item.rule}'")
    for index, signal in enumerate(content.signals):
        for c_index, combination in enumerate(signal.combinations):
            for fact_id in combination.facts:
                if fact_id not in content.facts:
                    at = f"{where}: signals[{index}]: combinations[{c_index}]"
                    problems.append(f"{at}: field 'facts': unknown fact '{fact_id}'")


def load(root: Path, problems: list[str]) -> MessageCheckContent | None:
    """Read ``root/message_check.yml``; None (with a problem recorded) when it cannot be read."""
    path = root / FILE_NAME
    where = f"knowledge/{FILE_NAME}"
    ok, data = read_yaml(path, where, problems)
    return parse(data, where, problems) if ok else None
