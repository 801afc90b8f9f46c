"""The message check: which signs of fraud a message shows, and the verdict that follows from them.

Why rule-based: every signal must be explainable to a resident ("this sentence asks for your code"), and
staff must be able to add a phrase or a domain without retraining anything. The checker is a pure function
of the (already masked) text and the content in knowledge/message_check.yml; it never says a message is safe.
It runs in both Python environments: the action server (3.10) and the triage endpoint inside Rasa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.links import FoundLink, find_links, skeleton
from knowledge.message_check_content import Combination, Fact, MessageCheckContent, OfficialOrganisation, Signal
from knowledge.message_check_terms import Word, find_all_terms, words

MAX_QUOTE_CHARS = 70
# Words that turn a request into a warning: "deel deze code met niemand", "geef nooit uw pincode".
NEGATION_RE = re.compile(r"\b(nooit|niet|niemand|geen|nimmer)\b", re.IGNORECASE)
NEGATION_WINDOW = 30
# A dot inside a word ("digid.nl", "1.250") or after a one-letter abbreviation ("t.n.v.", "z.s.m.") does not end
# a sentence.
SENTENCE_END = re.compile(r"[!?\n]|(?<!\b\w)\.(?!\w)")
# A clause that follows with its own subject ("…, dan hoeft u geen machtiging") has its own negation.
CLAUSE_END = re.compile(r",\s+(dan|want|maar|zodat|anders|omdat)\b", re.IGNORECASE)
# Brands of three letters (dhl, ing, ups) are only a look-alike as a whole part of the host name.
MIN_EMBEDDED_BRAND = 4
# Different warning markers a message needs before it is read as a warning about a trick, not the trick itself.
MIN_WARNING_MARKERS = 2


@dataclass(frozen=True)
class Finding:
    """One signal found in the message: the signal id and the words of the message that show it."""

    signal_id: str
    quote: str
    organisation: str | None = None
    official: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """The verdict and the findings, strongest first. Holds quotes of the masked text, never more."""

    verdict: str
    findings: tuple[Finding, ...]

    @property
    def signal_ids(self) -> tuple[str, ...]:
        """The ids of the signals found, in the order they are shown."""
        return tuple(f.signal_id for f in self.findings)


def _quote(text: str, start: int, end: int) -> str:
    written = " ".join(text[start:end].split())
    if len(written) <= MAX_QUOTE_CHARS:
        return written
    cut = written[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def _sentence_window(text: str, start: int, end: int, reach: int = NEGATION_WINDOW) -> str:
    """The text around a match, up to the sentence ends on both sides and at most ``reach`` chars."""
    before = text[max(0, start - reach) : start]
    before = SENTENCE_END.split(before)[-1]
    after = text[end : end + reach]
    after = SENTENCE_END.split(after)[0]
    return before + text[start:end] + after


def _clause_window(text: str, start: int, end: int) -> str:
    """The sentence window around a match, cut where a following clause of its own begins.

    Why: "geef mij uw wachtwoord, dan hoeft u geen machtiging aan te vragen" asks for the password; the "geen"
    belongs to the next clause. "Deel deze code met niemand" and "geef nooit uw pincode" keep their negation.
    """
    window = _sentence_window(text, start, end)
    offset = window.find(text[start:end])
    head, tail = window[:offset], window[offset:]
    head = CLAUSE_END.split(head)[-1] if CLAUSE_END.search(head) else head
    cut = CLAUSE_END.search(tail)
    return head + (tail[: cut.start()] if cut else tail)


def _excluded(
    signal: Signal, text: str, start: int, end: int, content: MessageCheckContent, code_route: bool = False
) -> bool:
    """A warning ("geef nooit uw pincode"), an exception from the content ("we storten ... terug"), or a code
    to type on the organisation's own website or app ("typ de code in op digid.nl"), or a code the message
    itself gives on an official route (``code_route``, see _code_route)."""
    if signal.skip_when_negated and NEGATION_RE.search(_clause_window(text, start, end)):
        return True
    sentence = _sentence_window(text, start, end, reach=200)
    if signal.unless_official or signal.unless_code_given:
        handed_over = any(p.search(sentence) for p in content.code_handover_markers)
        if signal.unless_official and not handed_over and _points_to_official(content, sentence):
            return True
        if signal.unless_code_given and code_route and not handed_over:
            return True
    return any(pattern.search(sentence) for pattern in signal.unless)


def _points_to_official(content: MessageCheckContent, sentence: str) -> bool:
    """True when the sentence names an official domain, or the app of an organisation it names ("DigiD app").

    Why: a real letter gives a code and says where to type it; a scam asks to send the code to a person or to
    type it on a site of its own (which the link signals catch).
    """
    official = _official_domains(content)
    if any(link.domain in official for link in find_links(sentence)):
        return True
    if not re.search(r"\bapp\b", sentence, re.IGNORECASE):
        return False
    return bool(_named_organisations(content, sentence))


def _phrase_finding(
    signal: Signal, text: str, content: MessageCheckContent, code_route: bool = False
) -> Finding | None:
    for pattern in signal.patterns:
        for match in pattern.finditer(text):
            if _excluded(signal, text, match.start(), match.end(), content, code_route):
                continue
            end = match.end()
            if end and not text[end - 1].isspace():
                tail = re.match(r"[^\s.!?]*", text[end:])  # "Betaal €" → "Betaal €1,99"
                end += len(tail.group(0)) if tail else 0
            return Finding(signal.id, _quote(text, match.start(), end))
    return None


def _fact_spans(fact: Fact, text: str, message_words: list[Word]) -> list[tuple[int, int]]:
    """Every place in the text where the fact is said, by one of its terms or patterns."""
    spans = find_all_terms(fact.terms, message_words)
    spans += [(m.start(), m.end()) for pattern in fact.patterns for m in pattern.finditer(text)]
    return sorted(spans)


def _combined_span(combination: Combination, spans: dict[str, list[tuple[int, int]]]) -> tuple[int, int] | None:
    """The first stretch of text where every fact of the combination occurs within ``within`` characters."""
    first, *others = combination.facts
    for anchor in spans[first]:
        chosen = [anchor]
        for fact_id in others:
            near = [s for s in spans[fact_id] if abs(s[0] - anchor[0]) <= combination.within]
            if not near:
                break
            chosen.append(min(near, key=lambda s: abs(s[0] - anchor[0])))
        else:
            start, end = min(s[0] for s in chosen), max(s[1] for s in chosen)
            if end - start <= combination.within + MAX_QUOTE_CHARS:
                return start, end
    return None


def _combination_finding(
    signal: Signal,
    text: str,
    message_words: list[Word],
    content: MessageCheckContent,
    fact_spans: dict[str, list[tuple[int, int]]],
    code_route: bool = False,
) -> Finding | None:
    """The signal shown by facts together, whatever their wording ("verdien" + "per opdracht").

    Why: the fact pairs generalise where phrases do not; a new writer's wording of "money per task" still
    contains a word for money and a word for a unit of work. ``fact_spans`` holds each fact's places in this
    message, found once for all signals that use the fact; what a signal excludes is its own.
    """
    kept: dict[str, list[tuple[int, int]]] = {}
    for combination in signal.combinations:
        spans = {}
        for fact_id in combination.facts:
            if fact_id not in fact_spans:
                fact_spans[fact_id] = _fact_spans(content.facts[fact_id], text, message_words)
            if fact_id not in kept:
                kept[fact_id] = [
                    s
                    for s in fact_spans[fact_id]
                    if not _excluded(signal, text, s[0], s[1], content, code_route)
                ]
            spans[fact_id] = kept[fact_id]
        span = _combined_span(combination, spans)
        if span is not None:
            return Finding(signal.id, _quote(text, *span))
    return None


def _named_organisations(content: MessageCheckContent, text: str) -> list[OfficialOrganisation]:
    return [org for org in content.organisations if any(p.search(text) for p in org.names)]


@dataclass(frozen=True)
class _MessageLinks:
    """The links of one message and the organisations its words name outside those links.

    Why: the link signals, the official route, the warning framing and the verdict's cap all ask this; it is
    found once per message (a link's own text, "digid-verlengen.info", must not count as naming DigiD).
    """

    links: list[FoundLink]
    named: list[OfficialOrganisation]


def _message_links(content: MessageCheckContent, text: str) -> _MessageLinks:
    links = find_links(text)
    outside_links = text
    for link in reversed(links):
        outside_links = outside_links[: link.start] + " " + outside_links[link.end :]
    return _MessageLinks(links, _named_organisations(content, outside_links))


def _official_domains(content: MessageCheckContent) -> set[str]:
    return {domain for org in content.organisations for domain in org.domains}


def _brands(content: MessageCheckContent) -> list[tuple[str, OfficialOrganisation]]:
    out = []
    for org in content.organisations:
        for domain in org.domains:
            brand = skeleton(domain.split(".")[0])
            if brand and brand not in content.lookalike_ignore:
                out.append((_single_letters(brand), org))
    return out


def _host_variants(host: str) -> tuple[set[str], set[str]]:
    """Skeletons of the host without its top-level domain: whole, and per part (split at dots and hyphens).

    A ``1`` may stand for an ``l`` or an ``i``, so both readings are tried.
    """
    without_tld = host.rsplit(".", 1)[0]
    wholes: set[str] = set()
    parts: set[str] = set()
    for reading in (without_tld, without_tld.replace("1", "i")):
        wholes.add(_single_letters(skeleton(reading)))
        parts.update(_single_letters(skeleton(part)) for part in re.split(r"[.\-_]", reading) if part)
    return wholes, parts


def _single_letters(word: str) -> str:
    """Doubled letters as one, so "tiikkie" and "tikkie" read the same: a common look-alike trick."""
    return re.sub(r"(.)\1+", r"\1", word)


def _lookalike(content: MessageCheckContent, link: FoundLink) -> OfficialOrganisation | None:
    wholes, parts = _host_variants(link.host)
    for brand, org in _brands(content):
        if brand in parts or (len(brand) >= MIN_EMBEDDED_BRAND and any(brand in whole for whole in wholes)):
            return org
    return None


def _is_deep_link(link: FoundLink, own_domains: tuple[str, ...] = ()) -> bool:
    """A link someone is meant to click: with https:// or a path, not just a name such as 'digid.nl'.

    An address on the organisation's own domain written without http(s), as letters print it ("ga naar
    www.digid.nl/activeren"), is an address to type, and typing it leads to the real site: not a link here.
    """
    written = link.text.lower()
    if written.startswith(("http://", "https://")):
        return True
    if link.domain in own_domains:
        return False
    return "/" in written.split("//")[-1].rstrip("/")


def _link_findings(content: MessageCheckContent, text: str, message: _MessageLinks) -> dict[str, Finding]:
    links, named = message.links, message.named
    if not links:
        return {}
    official = _official_domains(content)
    found: dict[str, Finding] = {}
    for link in links:
        quote = _quote(text, link.start, link.end)
        if link.domain in content.shorteners or link.host in content.shorteners:
            found.setdefault("link_shortened", Finding("", quote))
            continue
        if link.domain not in official:
            org = _lookalike(content, link)
            if org is not None:
                found.setdefault("link_lookalike", Finding("", quote, org.name, org.domains[0]))
                continue
        if named and link.domain not in official:
            org = named[0]
            found.setdefault("link_not_official", Finding("", quote, org.name, org.domains[0]))
        elif link.domain not in official and _unusual_tld(content, link):
            found.setdefault("link_unusual", Finding("", quote))
    for org in named:
        if not org.sends_links:
            deep = [link for link in links if _is_deep_link(link, org.domains)]
            if deep:
                quote = _quote(text, deep[0].start, deep[0].end)
                found.setdefault("link_unexpected", Finding("", quote, org.name, org.domains[0]))
    return found


def _unusual_tld(content: MessageCheckContent, link: FoundLink) -> bool:
    """A link ending in .top, .live, .info …: organisations residents deal with hardly ever send those."""
    return link.domain.rsplit(".", 1)[-1] in content.unusual_tlds


def _official_route(content: MessageCheckContent, text: str, message: _MessageLinks) -> bool:
    """True when the message gives a sign of an official route (a marker such as a payment reference,
    "betalingskenmerk", or "u hoeft niets te doen"), names an organisation or links to an official domain, and
    has no link to any other domain than those of the organisations it names.

    Why: real letters of the Belastingdienst or the CJIB ask for money with their payment reference and point
    to their own site; a scam sends people to a domain of its own. Money asks and refunds on that route are not
    signs of fraud, so such a letter gets "no known signals" instead of "pas op". An official link alone is not
    enough (that letter stays "pas op" at most, see _links_only_to_named_official): a reference is the sign.
    """
    markers = content.official_markers + content.code_given_markers
    if not any(p.search(text) for p in markers):
        return False
    links, named = message.links, message.named
    if not named:
        # A letter that names itself only by its site ("meer informatie: belastingdienst.nl").
        official = _official_domains(content)
        return bool(links) and all(link.domain in official for link in links)
    own = {d for org in named for d in org.domains}
    return all(link.domain in own for link in links)


def _code_route(content: MessageCheckContent, text: str, message: _MessageLinks) -> bool:
    """True when the message gives the resident a code ("uw activeringscode is A7K3PQ9X2", "de code uit deze
    brief"), names an organisation and links to no other domain than the named organisations' own.

    Why: a DigiD letter hands over an activation or authorisation code and says where to type it, or to give it
    to the person one authorises; in the words of a code request ("typ de code", "geef deze code"). A scam asks
    for a code the resident got elsewhere and wants it back; that sentence names the sender as the receiver
    (``code_handover_markers``), and such a sentence is never excused.
    """
    if not message.named or not any(p.search(text) for p in content.code_given_markers):
        return False
    own = {d for org in message.named for d in org.domains}
    return all(link.domain in own for link in message.links)


def _links_only_to_named_official(message: _MessageLinks) -> bool:
    """True when the message has links and every one goes to an official domain of an organisation it names.

    Why: a genuine letter (a CJIB fine with "betaal voor 14 januari via cjib.nl") names an amount and a
    deadline, two medium signs, while a scam sends people to a domain of its own. Such a message is at most
    "pas op", never "lijkt op oplichting" on medium signs alone.
    """
    if not message.links:
        return False
    named_domains = {d for org in message.named for d in org.domains}
    return all(link.domain in named_domains for link in message.links)


def _is_warning(content: MessageCheckContent, text: str, message: _MessageLinks) -> bool:
    """True when the message warns about a trick: two different warning markers and no link to a domain that is
    not official.

    Why: a bank's or the police's own warning describes the trick in the trick's words ("oplichters zeggen dat
    u uw geld naar een veilige rekening moet overmaken"), so the phrase signals fire on it. What tells it apart
    is its framing: it speaks of the fraudsters in the third person, says what the organisation never does and
    advises to hang up. One marker is not enough, because a scam may say "let op" or "wij vragen nooit om uw
    pincode" too; a warning that links to a domain of its own, or gives an account number to pay to (a masked
    ``[IBAN]``), is not trusted as one: a real warning never names where to send money.
    """
    if "[IBAN]" in text:
        return False
    found = sum(1 for pattern in content.warning_markers if pattern.search(text))
    if found < MIN_WARNING_MARKERS:
        return False
    official = _official_domains(content)
    return all(link.domain in official for link in message.links)


def _asks_for_itself(content: MessageCheckContent, text: str, finding: Finding) -> bool:
    """True when the sentence of a finding names the sender as the receiver ("geef ons uw pincode").

    Why: a real warning speaks of the fraudsters ("ze vragen om uw pincode") and never asks for anything itself;
    a fake warning says "klik niet op links" and then asks for a code all the same.
    """
    quote = finding.quote.rstrip(" …")
    start = text.find(quote) if quote else -1
    if start < 0:
        return False
    sentence = _clause_window(text, start, start + len(quote))
    return any(pattern.search(sentence) for pattern in content.warning_asks_markers)


def _verdict(signals: list[Signal], official_links_only: bool = False) -> str:
    strong = sum(1 for s in signals if s.strength == "strong")
    medium = sum(1 for s in signals if s.strength == "medium")
    if official_links_only:
        medium = min(medium, 1)
    if strong or medium >= 2:
        return "likely_scam"
    if medium == 1:
        return "suspicious"
    return "no_signals"


def check_message(text: str, content: MessageCheckContent) -> CheckResult:
    """Find the signals in ``text`` and decide the verdict.

    Args:
        text: The resident's message, already masked (``[IBAN]``, ``[TELEFOON]`` … stay as they are).
        content: The validated content (``catalog.message_check``).

    Returns:
        The verdict (``likely_scam``, ``suspicious`` or ``no_signals``) and one finding per signal, strong
        signals first and otherwise in the order of the content file.
    """
    message = _message_links(content, text)
    links = _link_findings(content, text, message)
    message_words = words(text)
    fact_spans: dict[str, list[tuple[int, int]]] = {}  # each fact's places in this message, found once
    official_route = _official_route(content, text, message)
    warning = _is_warning(content, text, message)
    code_route = _code_route(content, text, message)
    found: list[tuple[Signal, Finding]] = []
    for signal in content.signals:
        if signal.official_ok and official_route:
            continue
        if warning and signal.detector == "phrases" and signal.strength != "strong":
            continue  # a warning describes the trick; only its links are checked
        if signal.detector == "phrases":
            finding = _phrase_finding(signal, text, content, code_route)
            if finding is None and signal.combinations:
                finding = _combination_finding(signal, text, message_words, content, fact_spans, code_route)
            if warning and finding is not None and not _asks_for_itself(content, text, finding):
                finding = None  # a warning describes the trick; only its own requests and its links count
        else:
            raw = links.get(signal.detector)
            finding = Finding(signal.id, raw.quote, raw.organisation, raw.official) if raw else None
        if finding is not None:
            found.append((signal, finding))
    found.sort(key=lambda pair: 0 if pair[0].strength == "strong" else 1)
    verdict = _verdict([s for s, _ in found], _links_only_to_named_official(message))
    return CheckResult(verdict=verdict, findings=tuple(f for _, f in found))


def explain(content: MessageCheckContent, finding: Finding, simple: bool = False) -> str:
    """The explanation of one finding, with the organisation and its official domain filled in."""
    signal = content.signal(finding.signal_id)
    template = signal.simple if simple else signal.explanation
    return template.format(organisation=finding.organisation or "", official=finding.official or "")
