"""Finds people's names and street addresses in a resident's message (used by ``knowledge.pii``).

No Dutch de-identification library fits here (docs/privacy.md, "Names and street addresses"), and a
name list would both miss names and hit places ("Vink", "Broek" and "Ham" are places and surnames).
So a name is only taken where the sentence says one follows: after a cue such as "ik ben", "mijn
naam is", "namens", "met vriendelijke groet", "mevrouw", "mijn dochter". What follows must look
like a Dutch name: capitalised words, initials and lower-case tussenvoegsels ("Jan de Vries",
"J.P. van der Berg"). Words that follow such cues but name no person (DigiD, ING, Belastingdienst,
Team, weekdays, nationalities) are never a name. A street address is a street word ending in
straat, weg, laan, plein, ... followed by a house number; the library's own public addresses
(``knowledge/locations.yml``) are not personal data and stay.

Pure Python: the stdlib, plus PyYAML to read the library's addresses and the place names
(``knowledge/places.yml``) once, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml

_LOCATIONS = Path(__file__).with_name("locations.yml")
_PLACES = Path(__file__).with_name("places.yml")


def _words(block: str) -> frozenset[str]:
    """The words of a whitespace-separated block: long word lists read better that way."""
    return frozenset(block.split())


# ---- words ----------------------------------------------------------------------------------
# A word of letters, joined by hyphens or apostrophes ("Anne-Marie", "D'Hondt"); a single
# capital with a full stop is an initial ("J.", "J.P.").
_WORD_RE = re.compile(r"[^\W\d_]+(?:[\-'’][^\W\d_]+)*")
_INITIALS_RE = re.compile(r"(?:[A-Z]\.){1,4}(?![^\W\d_])")
_GAP_RE = re.compile(r"[ \t]+")
# Between a cue and the name: spaces, a comma, a colon or a line break ("Met vriendelijke
# groet,\nJan"), at most a few characters.
_SIGNATURE_GAP_RE = re.compile(r"[ \t]*[,:;\-]?[ \t]*(?:\r?\n[ \t]*)?")
# After any other cue the name follows on the same line: in "Geachte heer/mevrouw, Wij ..." or
# "Hallo, ik ..." the word after the comma starts a sentence.
_CUE_GAP_RE = re.compile(r"[ \t]*[:(]?[ \t]*")

# Tussenvoegsels, longest first so "van der" wins over "van".
_TUSSENVOEGSELS = (
    "van der", "van den", "van de", "van 't", "in 't", "in het", "in de", "op de", "op 't",
    "uit de", "uit den", "van", "von", "de", "den", "der", "het", "'t", "ter", "ten", "te",
    "la", "le", "du", "da", "di", "del", "della", "dos", "el", "al", "bin", "ben", "zu", "d'",
)  # fmt: skip
_TUSSENVOEGSEL_RE = re.compile(
    r"(?:" + "|".join(re.escape(t) for t in _TUSSENVOEGSELS) + r")(?=[ \t]|(?<=')[^\W\d_])",
    re.IGNORECASE,
)
_MAX_NAME_PARTS = 6
# A word that starts with a place name this long is about the place ("Kerkradenaar").
_MIN_PLACE_PREFIX = 5
_TUSSENVOEGSEL_WORDS = frozenset(w for t in _TUSSENVOEGSELS for w in t.split())

# Capitalised words that follow a name cue but are not a person's name. Checked in lower case,
# for every part of a candidate: one such part and the whole candidate stays ("Team DigiD",
# "De Belastingdienst", "Gemeente Kerkrade", "ING Bank"). Organisations the bot routes on, the
# bot itself, titles, weekdays and months, and words that describe a resident ("ik ben Nederlander").
_NOT_NAMES = _words(
    """
    digid digi-d mijnoverheid overheid rijksoverheid belastingdienst belastingtelefoon toeslagen
    fiscus uwv svb cjib rdw cbr duo ind gemeente bibliotheek bieb hub taalhuis informatiepunt
    e-café wegwijzer digihulp digihulplijn klik tik postnl post ing rabobank abn amro sns asn
    regiobank knab bunq triodos bank ziggo kpn odido vodafone tele2 whatsapp facebook google apple
    microsoft samsung outlook gmail hotmail netflix bol marktplaats paypal politie fraudehelpdesk
    juridisch loket geldfit sociale verzekeringsbank dienst centraal justitieel incassobureau cz vgz
    menzis zilveren kruis essent eneco vattenfall team klantenservice helpdesk afdeling support
    servicedesk medewerker medewerkers administratie directie redactie klant klanten
    mevrouw meneer mijnheer heer dame dames heren familie fam dokter
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei
    juni juli augustus september oktober november december vandaag morgen gisteren
    nederlander nederlands nederlandse belg belgisch duitser duits duitse turks turkse marokkaans
    marokkaanse pools poolse syrisch engels frans limburger limburgs senior gepensioneerd
    mantelzorger vrijwilliger student bewoner inwoner weduwe weduwnaar lid zzp'er aow'er
    alleen ook nog niet wel hier daar tikkie coolblue zalando infomedics heijn stichting vereniging
    harmonie st polikliniek ziekenhuis euro europese global krediet unie
    """
)
# A word ending like this names an organisation ("Rabobank", "Belastingdienst", "Zorgloket").
_ORGANISATION_ENDINGS = (
    "bank", "dienst", "overheid", "loket", "service", "services", "centrum", "verzekeringen", "praktijk",
    "kliniek", "logistics", "solutions", "claims", "financiering", "finance", "verhuur", "samenwerking",
    "krediet", "groep", "holding",
)  # fmt: skip
# After the strongest cues ("mijn naam is", "ik heet") a name may be typed in lower case; these
# words end it there ("mijn naam is jan en ik ...", "ik heet eigenlijk ...").
_FUNCTION_WORDS = _words(
    """
    en of maar want dus ook nog niet wel al is ben was zijn heb heeft had kan kun moet mag vanaf
    ik u je jij hij zij ze we wij mijn uw zijn haar hun het een dit dat die deze daar hier er
    in op aan bij met voor van naar uit om over door tot te als dan toen nu eigenlijk officieel
    voluit gewoon zelf echt erg heel graag alleen hoe wat wie waar wanneer waarom welke bekend
    onbekend fout verkeerd goed anders dezelfde hetzelfde nieuw oud
    """
)

# ---- name cues ------------------------------------------------------------------------------
# lower: a lower-case name counts too; otherwise the name must be capitalised.
# "Naam: ..." as a form label, at the start of a line; "zet ik ze op jouw naam: ..." is no label.
_LABEL_CUE_RE = re.compile(r"(?:(?<=\n)|(?<!.))naam[ \t]*:", re.IGNORECASE | re.DOTALL)
_STRONG_CUE_RE = re.compile(
    r"(?:(?:mijn\s+(?:volledige\s+)?naam\s+is|ik\s+heet)(?:\s+(?:eigenlijk|officieel|voluit))?"
    r"|my\s+name\s+is)",
    re.IGNORECASE,
)
_SIGNATURE_CUE_RE = re.compile(
    r"(?:(?:met\s+)?(?:vriendelijke|hartelijke|beste|lieve)\s+groet(?:en|jes)?|groet(?:en|jes)?"
    r"|m\.?\s?v\.?\s?g\.?|vr\.?\s?gr\.?|gr\.|liefs)(?![^\W\d_])",
    re.IGNORECASE,
)
_CUE_RE = re.compile(
    r"(?:"
    r"ik\s+ben|hier\s+is|namens|ten\s+name\s+van|t\.?\s?n\.?\s?v\.?|i\.?\s?o\.?\s?v\.?"
    r"|beste|geachte|lieve|hallo|hoi|hey"
    r"|mevrouw|mevr\.?|mw\.?|meneer|mijnheer|m(?:ijn)?\s?h(?:ee)?r\.?|dhr\.?|(?:de\s+)?heer|hr\.?"
    r"|familie|fam\.?|dokter|dr\.?|wijlen"
    r"|mijn\s+(?:schoon|klein|achterklein)?(?:man|vrouw|zoon|dochter|moeder|vader|broer|zus|zuster"
    r"|partner|vriend|vriendin|echtgenoot|echtgenote|buurman|buurvrouw|oom|tante|neef|nicht|opa"
    r"|oma|kind|kinderen|begeleider|begeleidster|mentor|bewindvoerder|contactpersoon)"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)

# Each cue pattern, whether a lower-case name counts after it, and whether it closes a letter
# (then the name may follow after a comma or on the next line).
_CUES = (
    (_STRONG_CUE_RE, True, False),
    (_LABEL_CUE_RE, True, True),
    (_CUE_RE, False, False),
    (_SIGNATURE_CUE_RE, False, True),
)
# The first word of every cue above, in lower case (as _WORD_RE splits it: "t.n.v." starts with "t").
_CUE_STARTS = _words(
    """
    mijn ik my naam hier namens ten t tnv i iov met vriendelijke hartelijke beste lieve groet groeten
    groetjes m mvg vr vrgr gr liefs geachte hallo hoi hey mevrouw mevr mw meneer mijnheer mhr mh dhr
    de heer hr familie fam dokter dr wijlen
    """
)

# ---- street addresses -----------------------------------------------------------------------
_STREET_ENDINGS = (
    "straat", "str", "weg", "laan", "plein", "pad", "hof", "singel", "kade", "dreef", "steeg",
    "gracht", "markt", "park", "ring", "baan", "veld", "dijk", "dam", "wal", "plantsoen", "erf",
    "boulevard", "allee", "passage", "wijk", "berg", "dal", "broek", "akker", "heide", "poort",
    "vliet", "kamp", "donk", "hoeve",
)  # fmt: skip
# Street endings a lower-case word may have without an address word nearby; "onderweg 10
# minuten" and "loopbaan 2" are not addresses.
_SURE_ENDINGS = ("straat", "laan", "plein", "gracht", "singel", "kade", "dreef", "steeg", "plantsoen")
# Street names that are one of the endings on their own ("op de Markt 3"); capitalised only.
_BARE_STREETS = frozenset({"markt", "plein", "kade", "singel", "dam", "wal", "boulevard", "dijk", "brink"})
_NOT_STREETS = frozenset({"onderweg", "halverwege", "snelweg", "zijweg", "loopbaan", "weg"})
_STREET_NUMBER_RE = re.compile(
    r"(?<![\w\-\[])(?P<street>[^\W\d_]+(?:[\-'][^\W\d_]+)*)(?P<dot>\.)?"
    r"[ \t]*(?:(?:nr|no|nummer|huisnummer)\.?[ \t]*)?[ \t]"
    r"(?P<number>[1-9][0-9]{0,3})"
    r"(?P<addition>[ \t]?[a-zA-Z](?![^\W\d_])|[ \t]?-[ \t]?[0-9a-zA-Z]{1,4}(?![^\W_])"
    r"|[ \t](?:bis|hs|huis|boven|beneden|bus[ \t]?[0-9]{1,3})(?![^\W\d_]))?"
    r"(?![0-9]|[.,:][0-9]|[ \t]?%|[/\-][0-9])"
)
# A number followed by one of these counts something: "Bus 12 minuten", "Dijk 3 keer".
_UNIT_AFTER_RE = re.compile(
    r"[ \t]*(?:minuten|minuut|min|uur|keer|dagen|dag|weken|week|maanden|jaar|jaren|euro|eur|cent"
    r"|km|kilometer|meter|m|stuks|personen|mensen|x|januari|feb(?:ruari)?|maart|mrt|apr(?:il)?|mei"
    r"|juni?|juli?|aug(?:ustus)?|sept?(?:ember)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![^\W\d_])",
    re.IGNORECASE,
)
_ADDRESS_CUE_RE = re.compile(r"(?<!\[)(?:woon|wonen|adres|verhuis|straat|postcode)", re.IGNORECASE)
_ADDRESS_CUE_WINDOW = 40
# Capitalised words before the street word that belong to its name ("Martin Buberplein",
# "Burgemeester de Hesselleplein"), but not these.
_NOT_STREET_PREFIX = _words(
    """
    adres woonadres postadres mijn ik we wij woon wonen op aan in bij naar het de een dit dat
    nieuw nieuwe straat huisnummer is en of tot van
    """
)
_MAX_STREET_PREFIX = 3


def find_names(text: str) -> Iterator[tuple[int, int]]:
    """Yield the spans ``[start, end)`` of people's names that follow a name cue.

    Args:
        text: A message, already normalised by ``knowledge.pii.normalise``.

    Yields:
        One span per name, in the order of their cues; spans may repeat when two cues point
        at the same name ("Mevrouw" after "ik ben").
    """
    # Trying the cue patterns only where a word that can start a cue begins is several times
    # faster than scanning the whole text with them; this runs on every message.
    for word in _WORD_RE.finditer(text):
        if word.group().lower() not in _CUE_STARTS:
            continue
        for pattern, lower_ok, signature in _CUES:
            cue = pattern.match(text, word.start())
            if cue:
                span = _name_after(text, cue.end(), lower_ok=lower_ok, signature=signature)
                if span:
                    yield span


def find_addresses(text: str) -> Iterator[tuple[int, int]]:
    """Yield the spans of street addresses: a street word with a house number ("Hoofdstraat 12a").

    Args:
        text: A message, already normalised by ``knowledge.pii.normalise``.

    Yields:
        One span per address, from the first word of the street name to the end of the house
        number and its addition. The library's public addresses are not yielded.
    """
    for match in _STREET_NUMBER_RE.finditer(text):
        street = match.group("street")
        if not _is_street(text, match.start(), street, abbreviated=bool(match.group("dot"))):
            continue
        if _UNIT_AFTER_RE.match(text, match.end()):
            continue
        start = _street_start(text, match.start())
        span_text = re.sub(r"\s+", " ", text[start : match.end("number")]).lower()
        if span_text in public_addresses():
            continue
        yield start, match.end()


@cache
def public_addresses() -> frozenset[str]:
    """Street and house number of every address in ``knowledge/locations.yml``, lower case.

    The bot names these addresses itself; a resident who asks about one shares nothing
    personal. Read once; an unreadable file gives an empty set, so masking stays on the safe
    side (it masks more, never less).
    """
    try:
        data = yaml.safe_load(_LOCATIONS.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return frozenset()
    found: set[str] = set()
    for location in (data or {}).get("locations") or []:
        address = (location or {}).get("address") or {}
        value = address.get("value") if isinstance(address, dict) else None
        if isinstance(value, str):
            street = value.split(",")[0]
            found.add(re.sub(r"\s+", " ", street).strip().lower())
    return frozenset(found)


def _name_after(text: str, position: int, *, lower_ok: bool, signature: bool = False) -> tuple[int, int] | None:
    """The span of the name that starts at ``position`` (just after a cue), or None.

    A name is one or more name words, with initials and tussenvoegsels between them and "en"
    joining two names ("Jan en Marie Smeets"). It ends at the first other word; a first word
    that names an organisation or a place rejects the whole candidate.
    """
    gap = (_SIGNATURE_GAP_RE if signature else _CUE_GAP_RE).match(text, position)
    position = gap.end() if gap else position
    start: int | None = None
    end: int | None = None
    parts = 0
    while parts < _MAX_NAME_PARTS:
        initials = _INITIALS_RE.match(text, position)
        if initials and _followed_by_name(text, initials.end(), lower_ok=lower_ok):
            start = position if start is None else start
            position = _skip_gap(text, initials.end())
            continue
        tussen = _TUSSENVOEGSEL_RE.match(text, position)
        if tussen and _followed_by_name(text, tussen.end(), lower_ok=lower_ok):
            start = position if start is None else start
            position = _skip_gap(text, tussen.end())
            continue
        word = _WORD_RE.match(text, position)
        if word is None:
            break
        token = word.group()
        if text[word.end() : word.end() + 1].isdigit():
            return None  # "Rd4", "Tele2": a product or a service, not a person
        if end is not None and token.lower() == "en" and _followed_by_name(text, word.end(), lower_ok=lower_ok):
            position = _skip_gap(text, word.end())
            continue
        if token.lower() in _NOT_NAMES or _is_organisation(token):
            return None  # "Albert Heijn", "J. Bakker Financiering": a shop or a firm
        if not _is_name_part(token, lower_ok=lower_ok) or token.lower() in place_words():
            if end is None:
                return None
            break
        start = position if start is None else start
        end = word.end()
        parts += 1
        gap = _GAP_RE.match(text, end)
        if gap is None:
            break
        position = gap.end()
    if start is None or end is None:
        return None
    return start, end


def _skip_gap(text: str, position: int) -> int:
    gap = _GAP_RE.match(text, position)
    return gap.end() if gap else position


def _followed_by_name(text: str, position: int, *, lower_ok: bool) -> bool:
    """Tell whether a name word follows at ``position``, after spaces (none after "d'" or "'t")."""
    after = _skip_gap(text, position)
    if after == position and text[position - 1 : position] not in ("'", "."):
        return False
    tussen = _TUSSENVOEGSEL_RE.match(text, after)
    if tussen:
        after = _skip_gap(text, tussen.end())
    word = _WORD_RE.match(text, after)
    return word is not None and _is_name_part(word.group(), lower_ok=lower_ok)


def _is_name_part(token: str, *, lower_ok: bool) -> bool:
    """Tell whether ``token`` can be a word of a person's name (not a tussenvoegsel)."""
    lowered = token.lower()
    if len(token) < 2 or lowered in _NOT_NAMES or lowered in _TUSSENVOEGSEL_WORDS or _is_organisation(token):
        return False
    pieces = [p for p in re.split(r"[\-'’]", token) if p]
    # "DigiD", "PostNL", "MijnOverheid": capitals inside a word name a product, not a person.
    capitalised = all(p[0].isupper() and (len(p) == 1 or p[1:].islower()) for p in pieces)
    if lowered in _FUNCTION_WORDS or not (capitalised or (lower_ok and token.islower())):
        # "Wij", "Uw", "Er" after "Geachte heer/mevrouw," start a sentence; they name nobody.
        return False
    # "Kerkradenaar", "Brunssummer": where someone lives, not who they are.
    return _place_prefix_re().match(lowered) is None


@cache
def place_words() -> frozenset[str]:
    """Names of municipalities, kernen, buurten and their aliases (``knowledge/places.yml``), lower case.

    A name stops at one ("mijn naam is Jan Smeets Kerkrade" keeps Kerkrade, which the bot routes
    on). The names that are also ordinary words or surnames ("Vink", "Broek", "Ham") are left out.
    An unreadable file gives an empty set.
    """
    try:
        data = yaml.safe_load(_PLACES.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return frozenset()
    ordinary = {str(word).lower() for word in data.get("ordinary_words") or []}
    found: set[str] = set()
    for gemeente in (data.get("gemeenten") or {}).values():
        names = [gemeente.get("name")]
        for field in ("kernen", "buurten", "aliases"):
            names.extend(gemeente.get(field) or [])
        found.update(str(name).lower() for name in names if name and " " not in str(name))
    return frozenset(found - ordinary)


@cache
def _place_prefix_re() -> re.Pattern[str]:
    """Matches a word that starts with a place name of at least ``_MIN_PLACE_PREFIX`` letters."""
    places = sorted((p for p in place_words() if len(p) >= _MIN_PLACE_PREFIX), key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in places) or r"(?!)")


def _is_organisation(token: str) -> bool:
    return token.lower().endswith(_ORGANISATION_ENDINGS) or (token.isupper() and len(token) > 1)


def _is_street(text: str, start: int, street: str, *, abbreviated: bool) -> bool:
    """Tell whether ``street`` (a word before a number) names a street."""
    lowered = street.lower()
    if lowered in _NOT_STREETS or lowered in _NOT_NAMES or lowered in place_words():
        return False  # "Kerkrade 2", "Ubachsberg 3": a place and a number
    if abbreviated:
        return lowered.endswith("str") and len(lowered) > 3
    if lowered in _BARE_STREETS:
        return street[0].isupper()
    ending = next((e for e in _STREET_ENDINGS if lowered.endswith(e) and len(lowered) > len(e) + 1), None)
    if ending is None or ending == "str":
        return False
    if street[0].isupper() or ending in _SURE_ENDINGS:
        return True
    window = text[max(0, start - _ADDRESS_CUE_WINDOW) : start]
    return _ADDRESS_CUE_RE.search(window) is not None


def _street_start(text: str, start: int) -> int:
    """Move ``start`` left over the capitalised words that belong to the street name.

    "Martin Buberplein", "Burgemeester de Hesselleplein": up to three capitalised words, with a
    tussenvoegsel between two of them. Never over a line break or punctuation.
    """
    offset = max(0, start - 80)
    words = list(_WORD_RE.finditer(text, offset, start))
    position = boundary = start
    taken = 0
    for word in reversed(words):
        if text[word.end() : boundary].strip(" \t") or "\n" in text[word.end() : boundary]:
            break
        token = word.group()
        lowered = token.lower()
        if lowered in _TUSSENVOEGSEL_WORDS and not token[0].isupper():
            boundary = word.start()
            continue
        if not token[0].isupper() or lowered in _NOT_STREET_PREFIX or lowered in _NOT_NAMES:
            break
        if taken >= _MAX_STREET_PREFIX or lowered in place_words():
            break
        position = boundary = word.start()
        taken += 1
    return position
