"""Loads knowledge/ YAML into a validated Catalog. Every problem names the file, the field and what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from knowledge import message_check_content, two_questions
from knowledge.models import (
    CONFIRMED,
    FACT_STATES,
    Catalog,
    Check,
    Closure,
    Fact,
    Gemeente,
    Link,
    Location,
    Organisation,
    OutsidePlace,
    Service,
    ServiceSchedule,
    Source,
    Topic,
    WeeklySlot,
)
from knowledge.validation import ContentError, Reader, read_yaml

CONTENT_DIR = Path(__file__).resolve().parent
TOPIC_KINDS = {"topic", "conversation"}
ORGANISATION_KINDS = {"helpline", "partner", "website"}
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
HOLIDAY_NAMES = {
    "nieuwjaarsdag",
    "goede_vrijdag",
    "eerste_paasdag",
    "tweede_paasdag",
    "koningsdag",
    "bevrijdingsdag",
    "hemelvaartsdag",
    "eerste_pinksterdag",
    "tweede_pinksterdag",
    "eerste_kerstdag",
    "tweede_kerstdag",
    "carnavalsmaandag",
    "carnavalsdinsdag",
}
SIMPLE_MAX_WORDS = 40
# Keys the dialogue code asks for; a missing one would only surface mid-conversation.
REQUIRED_MESSAGES = {
    "ask_place",
    "place_unknown",
    "place_outside",
    "place_outside_part_of",
    "place_outside_library_url",
    "place_outside_library",
    "place_outside_website",
    "place_outside_abroad",
    "place_outside_nearest",
    "place_outside_nearest_only",
    "place_remembered",
    "service_absent",
    "service_unknown",
    "service_nearest",
    "referral_intro",
    "open_now",
    "closed_now",
    "no_upcoming",
    "hours_unchecked",
    "next_sessions",
    "unchecked_mark",
    "find_out_call",
    "find_out_website",
    "find_out_ask",
    "handoff_contacts_intro",
    "handoff_general",
    "address_unknown",
    "label_address",
    "label_hours",
    "label_phone",
    "label_website",
    "label_appointment",
    "label_cost",
    "simpler_without_topic",
    "button_simpler",
    "button_referral",
    "button_staff",
    "feedback_question",
    "second_question",
    "button_yes",
    "button_no",
    "feedback_thanks",
    "feedback_sorry",
    "suggestions_intro",
    "steps_intro",
    "links_intro",
    "rasa_unavailable",
    "pii_warning",
    # The channels' own texts (bot/messages.py): sent without Rasa, when it is silent or a button expired.
    "button_expired",
    "text_only",
    "choose_option",
    "list_button",
    # The web chat's limits (bot/connectors/limits.py), sent straight to the socket.
    "limit_too_fast",
    "limit_too_long",
}


def _load_yaml(path: Path, problems: list[str]) -> Any:
    return read_yaml(path, _rel(path), problems)[1]


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(CONTENT_DIR.parent))
    except ValueError:
        return str(path)


def _source(data: Any, where: str, problems: list[str]) -> Source:
    r = Reader(data, where, problems, {"url", "name", "checked_on"})
    return Source(url=r.url("url") or "", checked_on=r.day("checked_on"), name=r.text("name", False) or "")


# A page that local facts cite: ``sources:`` at the top of locations.yml and organisations.yml.
Pages = dict[str, tuple[str, str]]
# The fields that say how sure a local fact is (docs/CONTENT.md, "Local facts").
CHECK_FIELDS = {"state", "source", "checked_on", "confirmed_by", "note"}
FACT_FIELDS = {"value"} | CHECK_FIELDS


def _pages(top: Reader) -> Pages:
    """The ``sources:`` list of a file: each key names one page (url and name) that facts refer to."""
    out: Pages = {}
    for key, item in top.mapping("sources", required=False).items():
        r = Reader(item, f"{top.where}: sources.{key}", top.problems, {"url", "name"})
        out[str(key)] = (r.url("url") or "", r.text("name") or "")
    return out


def _check(r: Reader, pages: Pages) -> Check:
    """The state of one local fact, read from the fields beside it in the same mapping."""
    state = r.text("state") or ""
    if state and state not in FACT_STATES:
        r.fail("state", f"'{state}' must be one of: {', '.join(FACT_STATES)}")
    url, name = "", ""
    source = r.raw("source")
    if isinstance(source, str):
        if source in pages:
            url, name = pages[source]
        else:
            known = ", ".join(sorted(pages)) or "none defined"
            r.fail("source", f"unknown source '{source}' (define it under sources: at the top of the file; "
                             f"known: {known})")  # fmt: skip
    elif source is not None:
        r.fail("source", "must name a page from sources: at the top of the file, e.g. 'source: ido_2021'")
    confirmed_by = r.text("confirmed_by", required=False)
    note = r.text("note", required=False)
    if state == CONFIRMED and not confirmed_by:
        r.fail(
            "confirmed_by", "a confirmed fact says which role confirmed it, e.g. 'medewerker Informatiepunt'"
        )
    if state != CONFIRMED and confirmed_by:
        r.fail("confirmed_by", f"only a confirmed fact names who confirmed it; this one is '{state}'")
    if confirmed_by and not confirmed_by[0].islower():
        r.fail("confirmed_by", f"'{confirmed_by}' looks like a name; write a role in lower case, such as "
                               "'medewerker Informatiepunt' (never a person's name)")  # fmt: skip
    if state and state != CONFIRMED and not note:
        r.fail("note", "say what is assumed and what staff must check")
    return Check(
        state=state,
        source=Source(url=url, checked_on=r.day("checked_on"), name=name),
        confirmed_by=confirmed_by,
        note=note,
    )


def _fact(r: Reader, field: str, pages: Pages) -> Fact | None:
    """A local fact written as a mapping: ``value`` plus its check; null means the fact is unknown."""
    data = r.raw(field, required=False)
    if data is None:
        return None
    if not isinstance(data, dict):
        r.fail(field, "a local fact needs value, state, source and checked_on on lines of their own "
                      "(docs/CONTENT.md, 'Local facts'); write null when it is unknown")  # fmt: skip
        return None
    fr = Reader(data, f"{r.where}: {field}", r.problems, FACT_FIELDS)
    return Fact(value=fr.text("value") or "", check=_check(fr, pages))


def _label(where: str, index: int, item: Any) -> str:
    """'file: locations[3] (hub_kerkrade)': the index finds the entry, the id tells the editor which it is."""
    ident = item.get("id") if isinstance(item, dict) else None
    return f"{where}[{index}]" + (f" ({ident})" if isinstance(ident, str) and ident else "")


def _topic(path: Path, problems: list[str]) -> Topic | None:
    where = _rel(path)
    data = _load_yaml(path, problems)
    if data is None:
        return None
    allowed = {
        "id", "kind", "title", "button", "suggest", "answer", "simple", "steps", "links", "refer_to",
        "needs_place", "sources", "reviewed_on", "verify", "verify_note", "also_for_intents",
    }  # fmt: skip
    r = Reader(data, where, problems, allowed)
    topic_id = r.ident("id")
    if topic_id and topic_id != path.stem:
        r.fail("id", f"'{topic_id}' must equal the file name '{path.stem}'")
    kind = r.text("kind") or ""
    if kind and kind not in TOPIC_KINDS:
        r.fail("kind", f"'{kind}' must be one of {sorted(TOPIC_KINDS)}")
    simple = r.text("simple") or ""
    if len(simple.split()) > SIMPLE_MAX_WORDS:
        r.fail("simple", f"has {len(simple.split())} words; at most {SIMPLE_MAX_WORDS} allowed")
    links = []
    for index, item in enumerate(r.items("links", required=False)):
        lr = Reader(item, f"{where}: links[{index}]", problems, {"label", "url"})
        links.append(Link(label=lr.text("label") or "", url=lr.url("url") or ""))
    sources = tuple(
        _source(item, f"{where}: sources[{index}]", problems) for index, item in enumerate(r.items("sources"))
    )
    if not sources:
        r.fail("sources", "at least one source is required")
    verify = r.flag("verify")
    note = r.text("verify_note", required=False)
    if verify and not note:
        r.fail("verify_note", "say which fact needs checking when verify is true")
    return Topic(
        id=topic_id,
        kind=kind,
        title=r.text("title") or "",
        button=r.text("button", max_len=20) or "",
        suggest=r.flag("suggest"),
        answer=r.text("answer") or "",
        simple=simple,
        steps=r.texts("steps", required=False),
        links=tuple(links),
        refer_to=r.texts("refer_to", required=False),
        needs_place=r.flag("needs_place", default=False),
        sources=sources,
        reviewed_on=r.day("reviewed_on"),
        verify=verify,
        verify_note=note,
        also_for_intents=r.texts("also_for_intents", required=False),
    )


def _organisations(path: Path, problems: list[str]) -> dict[str, Organisation]:
    where = _rel(path)
    top = Reader(_load_yaml(path, problems) or {}, where, problems, {"sources", "organisations"})
    pages = _pages(top)
    out: dict[str, Organisation] = {}
    for index, item in enumerate(top.items("organisations")):
        allowed = {"id", "name", "kind", "description", "phone", "url", "hours", "source"}
        r = Reader(item, _label(f"{where}: organisations", index, item), problems, allowed)
        kind = r.text("kind") or ""
        if kind and kind not in ORGANISATION_KINDS:
            r.fail("kind", f"'{kind}' must be one of {sorted(ORGANISATION_KINDS)}")
        org = Organisation(
            id=r.ident("id"),
            name=r.text("name") or "",
            kind=kind,
            description=r.text("description") or "",
            phone=_fact(r, "phone", pages),
            url=r.url("url", required=False),
            hours=_fact(r, "hours", pages),
            source=_source(r.raw("source"), f"{r.where}: source", problems),
        )
        if org.id in out:
            r.fail("id", f"'{org.id}' is defined twice")
        out[org.id] = org
    return out


def _schedule(service_id: str, data: Any, where: str, problems: list[str], pages: Pages) -> ServiceSchedule:
    r = Reader(data, where, problems, {"weekly"} | CHECK_FIELDS)
    slots = []
    for index, item in enumerate(r.items("weekly", required=False)):
        sr = Reader(item, f"{where}: weekly[{index}]", problems, {"day", "start", "end"})
        day = sr.text("day") or ""
        if day not in WEEKDAYS:
            sr.fail("day", f"'{day}' must be a Dutch weekday: {', '.join(WEEKDAYS)}")
            continue
        start, end = sr.clock("start"), sr.clock("end")
        if end <= start:
            sr.fail("end", f"{end:%H:%M} is not after start {start:%H:%M}")
        slots.append(WeeklySlot(weekday=WEEKDAYS.index(day), start=start, end=end))
    # Times are a fact with a state; "no times known" has nothing to confirm, only a note saying so.
    has_check = bool(slots) or any(r.raw(key, required=False) is not None for key in CHECK_FIELDS - {"note"})
    check = _check(r, pages) if has_check else None
    return ServiceSchedule(
        service_id=service_id,
        weekly=tuple(sorted(slots, key=lambda s: (s.weekday, s.start))),
        check=check,
        note=r.text("note", required=False) if check is None else check.note,
    )


def _locations(
    path: Path, problems: list[str]
) -> tuple[str, frozenset[str], dict[str, Service], tuple[Location, ...]]:
    where = _rel(path)
    allowed = {"timezone", "closed_on_holidays", "sources", "services", "locations"}
    top = Reader(_load_yaml(path, problems) or {}, where, problems, allowed)
    pages = _pages(top)
    holidays = top.texts("closed_on_holidays", required=False)
    for name in holidays:
        if name not in HOLIDAY_NAMES:
            top.fail("closed_on_holidays", f"'{name}' is not a known holiday: {sorted(HOLIDAY_NAMES)}")
    services: dict[str, Service] = {}
    for service_id, item in top.mapping("services").items():
        sw = f"{where}: services.{service_id}"
        allowed = {
            "name",
            "indefinite",
            "negative",
            "description",
            "appointment",
            "cost",
            "source",
            "absent_in",
        }
        r = Reader(item, sw, problems, allowed)
        negative = r.text("negative") or ""
        if negative and not negative.startswith("geen "):
            r.fail("negative", f"'{negative}' must start with 'geen ', as in 'Voerendaal heeft geen Taalhuis'")
        absent_in = {}
        for gemeente, check in r.mapping("absent_in", required=False).items():
            cr = Reader(check, f"{sw}: absent_in.{gemeente}", problems, CHECK_FIELDS)
            absent_in[str(gemeente)] = _check(cr, pages)
        services[str(service_id)] = Service(
            id=str(service_id),
            name=r.text("name") or "",
            indefinite=r.text("indefinite") or "",
            negative=negative,
            description=r.text("description") or "",
            appointment=_fact(r, "appointment", pages),
            cost=_fact(r, "cost", pages),
            source=_source(r.raw("source"), f"{sw}: source", problems),
            absent_in=absent_in,
        )
    locations = []
    seen: set[str] = set()
    for index, item in enumerate(top.items("locations")):
        lw = _label(f"{where}: locations", index, item)
        allowed = {"id", "name", "gemeente", "address", "phone", "url", "source", "services", "closures"}
        r = Reader(item, lw, problems, allowed)
        loc_id = r.ident("id")
        if loc_id in seen:
            r.fail("id", f"'{loc_id}' is defined twice")
        seen.add(loc_id)
        schedules = {}
        for service_id, sched in r.mapping("services").items():
            if service_id not in services:
                r.fail(f"services.{service_id}", "unknown service (define it under services:)")
            schedules[str(service_id)] = _schedule(
                str(service_id), sched, f"{lw}: services.{service_id}", problems, pages
            )
        closures = []
        for cindex, citem in enumerate(r.items("closures", required=False)):
            cr = Reader(citem, f"{lw}: closures[{cindex}]", problems, {"from", "to", "reason"})
            start, end = cr.day("from"), cr.day("to")
            if end < start:
                cr.fail("to", f"{end} is before {start}")
            closures.append(Closure(start=start, end=end, reason=cr.text("reason") or ""))
        locations.append(
            Location(
                id=loc_id,
                name=r.text("name") or "",
                gemeente=r.ident("gemeente"),
                address=_fact(r, "address", pages),
                phone=_fact(r, "phone", pages),
                url=r.url("url", required=False),
                source=_source(r.raw("source"), f"{lw}: source", problems),
                services=schedules,
                closures=tuple(closures),
            )
        )
    timezone = top.text("timezone") or "Europe/Amsterdam"
    return timezone, frozenset(holidays), services, tuple(locations)


class _Places(NamedTuple):
    gemeenten: dict[str, Gemeente]
    outside: tuple[OutsidePlace, ...]
    ordinary: frozenset[str]
    sources: Pages


def _places(path: Path, problems: list[str]) -> _Places:
    where = _rel(path)
    top = Reader(
        _load_yaml(path, problems) or {}, where, problems, {"gemeenten", "outside", "ordinary_words", "sources"}
    )
    pages = _pages(top)
    gemeenten = {}
    for gid, item in top.mapping("gemeenten").items():
        r = Reader(
            item,
            f"{where}: gemeenten.{gid}",
            problems,
            {"name", "kernen", "buurten", "aliases", "nearby", "sources"},
        )
        gemeenten[str(gid)] = Gemeente(
            id=str(gid),
            name=r.text("name") or "",
            kernen=r.texts("kernen"),
            aliases=r.texts("aliases", required=False),
            nearby=r.texts("nearby", required=False),
            buurten=r.texts("buurten", required=False),
            sources=r.texts("sources", required=False),
        )
        for key in gemeenten[str(gid)].sources:
            if key not in pages:
                problems.append(f"{where}: gemeenten.{gid}.sources: unknown source '{key}' (see sources:)")
    outside = []
    for index, item in enumerate(top.items("outside", required=False)):
        r = Reader(
            item,
            f"{where}: outside[{index}]",
            problems,
            {"name", "aliases", "places", "nearest", "gemeente", "library", "library_url", "abroad", "source"},
        )
        name = r.text("name") or ""
        place = OutsidePlace(
            name=name,
            aliases=r.texts("aliases", required=False),
            nearest=r.ident("nearest"),
            gemeente=r.text("gemeente", required=False) or name,
            places=r.texts("places", required=False),
            library=r.text("library", required=False),
            library_url=r.url("library_url", required=False),
            abroad=r.flag("abroad", default=False),
            source=r.text("source", required=False),
        )
        if place.source is not None and place.source not in pages:
            problems.append(f"{where}: outside[{index}].source: unknown source '{place.source}' (see sources:)")
        if place.library_url and not place.library:
            problems.append(f"{where}: outside[{index}]: library_url without library")
        outside.append(place)
    ordinary = frozenset(top.texts("ordinary_words", required=False))
    return _Places(gemeenten, tuple(outside), ordinary, pages)


def _messages(path: Path, problems: list[str]) -> dict[str, str]:
    where = _rel(path)
    data = _load_yaml(path, problems) or {}
    r = Reader(data, where, problems, set(data) if isinstance(data, dict) else set())
    out = {}
    for key in r.data:
        value = r.raw(str(key))
        if not isinstance(value, str) or not value.strip():
            r.fail(str(key), "must be non-empty text")
            continue
        out[str(key)] = value.strip()
    for key in sorted(REQUIRED_MESSAGES - set(out)):
        r.fail(key, "is required by the dialogue")
    return out


def load_messages(path: Path | None = None) -> dict[str, str]:
    """The fixed texts of ``messages.yml`` (default: this package's), validated as :func:`load_catalog` does.

    For processes that need only these texts (the chat adapters); one loader, so a text that the dialogue
    refuses is refused here too.

    Raises:
        ContentError: listing every problem, each as ``file: field: problem``.
    """
    problems: list[str] = []
    messages = _messages(path or CONTENT_DIR / "messages.yml", problems)
    if problems:
        raise ContentError(problems)
    return messages


def _cross_check(catalog: Catalog, problems: list[str]) -> None:
    targets = set(catalog.services) | set(catalog.organisations)
    for overlap in sorted(set(catalog.services) & set(catalog.organisations)):
        problems.append(f"knowledge: id '{overlap}' is both a service and an organisation")
    for topic in catalog.topics.values():
        for target in topic.refer_to:
            if target not in targets:
                problems.append(
                    f"knowledge/topics/{topic.id}.yml: field 'refer_to': unknown target '{target}' "
                    "(not a service in locations.yml nor an organisation in organisations.yml)"
                )
    check = catalog.message_check
    if check is not None and check.referral and check.referral not in catalog.organisations:
        problems.append(
            f"knowledge/message_check.yml: field 'referral': unknown organisation '{check.referral}' "
            "(not in organisations.yml)"
        )
    for loc in catalog.locations:
        if loc.gemeente not in catalog.gemeenten:
            problems.append(f"knowledge/locations.yml: location '{loc.id}': unknown gemeente '{loc.gemeente}'")
    for service in catalog.services.values():
        for gemeente in service.absent_in:
            where = f"knowledge/locations.yml: services.{service.id}: absent_in.{gemeente}"
            if gemeente not in catalog.gemeenten:
                problems.append(f"{where}: unknown gemeente '{gemeente}' (see places.yml)")
            offered = [loc.id for loc in catalog.locations_with(service.id, gemeente)]
            if offered:
                problems.append(f"{where}: says there is none, but location '{offered[0]}' offers it")
    for gem in catalog.gemeenten.values():
        for other in gem.nearby:
            if other not in catalog.gemeenten:
                problems.append(f"knowledge/places.yml: gemeenten.{gem.id}.nearby: unknown '{other}'")
    named = {
        *(n for gem in catalog.gemeenten.values() for n in (gem.name, *gem.kernen, *gem.buurten, *gem.aliases)),
        *(n for place in catalog.outside for n in (place.name, *place.aliases, *place.places)),
    }
    for word in sorted(catalog.ordinary_place_words - named):
        problems.append(f"knowledge/places.yml: ordinary_words: '{word}' is not a place name in this file")
    for place in catalog.outside:
        if place.nearest not in catalog.gemeenten:
            problems.append(f"knowledge/places.yml: outside '{place.name}': unknown nearest '{place.nearest}'")


def load_catalog(content_dir: Path | None = None) -> Catalog:
    """Load and validate all content under ``content_dir`` (default: this package's folder).

    Raises:
        ContentError: listing every problem, each as ``file: field: problem``.
    """
    root = content_dir or CONTENT_DIR
    problems: list[str] = []
    topics: dict[str, Topic] = {}
    topic_files = sorted((root / "topics").glob("*.yml"))
    if not topic_files:
        problems.append(f"{_rel(root / 'topics')}: no topic files found")
    for path in topic_files:
        topic = _topic(path, problems)
        if topic is not None and topic.id:
            topics[topic.id] = topic
    organisations = _organisations(root / "organisations.yml", problems)
    timezone, holidays, services, locations = _locations(root / "locations.yml", problems)
    places = _places(root / "places.yml", problems)
    messages = _messages(root / "messages.yml", problems)
    message_check = message_check_content.load(root, problems)
    two_question_rules = two_questions.load(root, problems)
    intent_to_topic = {}
    for topic in topics.values():
        for intent in topic.also_for_intents:
            intent_to_topic[intent] = topic.id
    catalog = Catalog(
        topics=topics,
        organisations=organisations,
        services=services,
        locations=locations,
        gemeenten=places.gemeenten,
        outside=places.outside,
        messages=messages,
        timezone=timezone,
        closed_on_holidays=holidays,
        intent_to_topic=intent_to_topic,
        message_check=message_check,
        two_questions=two_question_rules,
        ordinary_place_words=places.ordinary,
        place_sources=places.sources,
    )
    _cross_check(catalog, problems)
    if problems:
        raise ContentError(problems)
    return catalog
