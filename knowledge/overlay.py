"""Staff edits of local facts (the content overlay): what an edit is, how it changes the YAML, and the Dutch
message for staff when the loader refuses it.

Why edits change the parsed YAML and not the Catalog: the loader then validates an edited fact with exactly
the rules that knowledge/ is held to (a time as "14:00", an end after a start, a known source, a role and not
a name), and the YAML an edit produces is the YAML an export writes back for review in git.

An edit names one fact by a key; the overlay is the latest edit per key:

- ``org/<id>/phone``, ``org/<id>/hours``                   organisations.yml
- ``service/<id>/appointment``, ``service/<id>/cost``      locations.yml, services:
- ``location/<id>/address``, ``location/<id>/phone``       locations.yml, locations:
- ``location/<id>/times/<service>``                       the weekly times of a service at a location
- ``location/<id>/closure/<token>``                        one dated closure (``cancelled: true`` removes it)
- ``location/<id>/session/<service>/<token>``             one extra session (date, start, end)
- ``location/<id>/cancel/<service>/<token>``              one day on which the service does not take place

A fact's change holds ``state``, ``checked_on``, ``source`` (a key of the file's ``sources:`` or a new page as
``{"url", "name"}``), ``confirmed_by``, ``note`` and, for a correction, ``value`` (``weekly`` for times).
Pure: no I/O, importable in both runtimes.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.loader import Patch

LOCATIONS_FILE = "locations.yml"
ORGANISATIONS_FILE = "organisations.yml"
FACT_FIELDS = {"org": ("phone", "hours"), "service": ("appointment", "cost"), "location": ("address", "phone")}
KEY_RE = re.compile(r"^[a-z0-9_/.-]{3,200}$")
OVERLAY_PREFIX = "staff edit"  # how the overlay's own problems start, before the loader's


@dataclass(frozen=True)
class Edit:
    """One saved staff edit: which fact, the change, who (a role) and when, and the edit it replaced."""

    id: int
    key: str
    change: Mapping[str, Any]
    role: str
    at: str  # ISO 8601 time of saving
    base: int  # the id of the edit of this key it was based on; 0 for the first

    def to_dict(self) -> dict[str, Any]:
        """The wire and cache form."""
        return {
            "id": self.id,
            "key": self.key,
            "change": dict(self.change),
            "role": self.role,
            "at": self.at,
            "base": self.base,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Edit:
        """Read the wire form (raises KeyError, TypeError or ValueError when it is not one)."""
        change = data["change"]
        if not isinstance(change, Mapping):
            raise TypeError("change must be a mapping")
        return cls(
            id=int(data["id"]),
            key=str(data["key"]),
            change=dict(change),
            role=str(data["role"]),
            at=str(data["at"]),
            base=int(data["base"]),
        )


def latest(edits: Iterable[Edit]) -> dict[str, Edit]:
    """The overlay: for each key the edit with the highest id."""
    out: dict[str, Edit] = {}
    for edit in sorted(edits, key=lambda e: e.id):
        out[edit.key] = edit
    return out


def _page_key(url: str) -> str:
    return "staf_" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]


def _source(data: dict[str, Any], source: Any) -> Any:
    """A new page ({"url", "name"}) is added to the file's ``sources:``; a key is kept as it is."""
    if isinstance(source, Mapping):
        url = str(source.get("url", "")).strip()
        name = str(source.get("name", "")).strip() or url
        key = _page_key(url)
        pages = data.setdefault("sources", {})
        if isinstance(pages, dict):
            pages[key] = {"url": url, "name": name}
        return key
    return source


def _fact(data: dict[str, Any], old: Any, change: Mapping[str, Any], value_field: str) -> dict[str, Any]:
    new: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
    if value_field in change:
        new[value_field] = change[value_field]
    for name in ("state", "checked_on"):
        new[name] = change.get(name)
    new["source"] = _source(data, change.get("source"))
    for name in ("confirmed_by", "note"):
        if change.get(name):
            new[name] = change[name]
        else:
            new.pop(name, None)
    return new


def _find(items: Any, item_id: str) -> dict[str, Any] | None:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and item.get("id") == item_id:
                return item
    return None


def _service(data: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    services = data.get("services")
    service = services.get(item_id) if isinstance(services, dict) else None
    return service if isinstance(service, dict) else None


def _organisation(data: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    return _find(data.get("organisations"), item_id)


def _location(data: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    return _find(data.get("locations"), item_id)


# Which file holds each kind of fact, what staff call it, and how to find one item of it in the parsed YAML.
_KINDS: dict[str, tuple[str, str, Callable[[dict[str, Any], str], dict[str, Any] | None]]] = {
    "org": (ORGANISATIONS_FILE, "organisation", _organisation),
    "service": (LOCATIONS_FILE, "service", _service),
    "location": (LOCATIONS_FILE, "location", _location),
}


def _apply_one(
    file: str, data: dict[str, Any], key: str, change: Mapping[str, Any], problems: list[str]
) -> None:
    parts = key.split("/")
    where = f"{OVERLAY_PREFIX} '{key}'"
    kind, item_id = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
    if kind not in _KINDS or _KINDS[kind][0] != file:
        return
    _, label, find = _KINDS[kind]
    item = find(data, item_id)
    if item is None:
        problems.append(f"{where}: unknown {label} '{item_id}'")
    elif len(parts) == 3 and parts[2] in FACT_FIELDS[kind]:
        item[parts[2]] = _fact(data, item.get(parts[2]), change, "value")
    elif kind == "location":
        _apply_to_location(data, item, parts, change, problems)
    else:
        problems.append(f"{where}: unknown fact '{'/'.join(parts[2:])}'")


def _apply_to_location(
    data: dict[str, Any],
    location: dict[str, Any],
    parts: list[str],
    change: Mapping[str, Any],
    problems: list[str],
) -> None:
    """A location's weekly times of one service, a single session or cancellation, or a closure."""
    where = f"{OVERLAY_PREFIX} '{'/'.join(parts)}'"
    item_id = parts[1]
    if len(parts) == 4 and parts[2] == "times":
        schedules = location.get("services")
        if not isinstance(schedules, dict) or parts[3] not in schedules:
            problems.append(f"{where}: location '{item_id}' does not offer service '{parts[3]}'")
            return
        schedules[parts[3]] = _fact(data, schedules[parts[3]], change, "weekly")
    elif len(parts) == 5 and parts[2] in ("session", "cancel"):
        schedules = location.get("services")
        if not isinstance(schedules, dict) or not isinstance(schedules.get(parts[3]), dict):
            problems.append(f"{where}: location '{item_id}' does not offer service '{parts[3]}'")
            return
        if change.get("cancelled"):
            return
        schedule = schedules[parts[3]]
        if parts[2] == "session":
            entry: Any = {name: change.get(name) for name in ("date", "start", "end")}
            field = "sessions"
        else:
            entry, field = change.get("date"), "cancelled"
        items = schedule.get(field)
        schedule[field] = [*items, entry] if isinstance(items, list) else [entry]
        if parts[2] == "session" and not schedule.get("state"):
            # A service without checked times: the session is a fact staff confirm by adding it.
            schedule.update({name: change.get(name) for name in ("state", "checked_on", "confirmed_by")})
            schedule["source"] = _source(data, change.get("source"))
            schedule.pop("note", None)  # the note said why there were no times
    elif len(parts) == 4 and parts[2] == "closure":
        if change.get("cancelled"):
            return
        closures = location.get("closures")
        if not isinstance(closures, list):
            closures = location["closures"] = []
        closures.append({name: change.get(name) for name in ("from", "to", "reason")})
    else:
        problems.append(f"{where}: unknown fact")


def apply_overlay(file: str, data: Any, overlay: Mapping[str, Edit], problems: list[str]) -> Any:
    """A copy of one file's parsed YAML with every edit of the overlay that concerns that file applied."""
    if not isinstance(data, dict) or not overlay:
        return data
    out = copy.deepcopy(data)
    for key in sorted(overlay, key=lambda k: overlay[k].id):
        _apply_one(file, out, key, overlay[key].change, problems)
    return out


def patcher(overlay: Mapping[str, Edit]) -> Patch | None:
    """The loader patch (knowledge.loader.load_catalog ``patch=``) for an overlay; None when it is empty."""
    if not overlay:
        return None

    def patch(file: str, data: Any, problems: list[str]) -> Any:
        return apply_overlay(file, data, overlay, problems)

    return patch


# The loader's problems (English, for developers) as staff read them: pattern -> Dutch, B1.
_WEEKDAYS_TEXT = "maandag, dinsdag, woensdag, donderdag, vrijdag, zaterdag of zondag"
_ROLE_EXAMPLE = "een functie in kleine letters, zoals 'medewerker Informatiepunt'"
_DUTCH_TEXTS: tuple[tuple[str, str], ...] = (
    (r"unknown location", "Deze locatie bestaat niet. Kies een locatie uit de lijst."),
    (r"unknown organisation", "Deze organisatie bestaat niet. Kies er een uit de lijst."),
    (r"unknown service|does not offer service", "Deze dienst bestaat niet op deze locatie."),
    (r"unknown fact", "Dit gegeven bestaat niet. Kies een gegeven uit de lijst."),
    (r"must be a date like", "Deze datum klopt niet. Schrijf de datum zo: 2026-12-24."),
    (r"field 'to': .* is before", "De einddatum ligt voor de begindatum. Kies een latere einddatum."),
    (r"must be a quoted time", "Deze tijd klopt niet. Schrijf de tijd zo: 14:00."),
    (r"is not after start", "De eindtijd ligt voor de begintijd. De eindtijd moet later zijn."),
    (r"must be a Dutch weekday", f"Schrijf de dag voluit: {_WEEKDAYS_TEXT}."),
    (r"looks like a name", f"Schrijf {_ROLE_EXAMPLE}. Schrijf nooit een naam."),
    (r"field 'confirmed_by'", f"Schrijf wie het heeft gecontroleerd: {_ROLE_EXAMPLE}."),
    (r"say what is assumed", "Schrijf in de notitie wat nog niet zeker is en wat iemand moet controleren."),
    (r"is not an https:// URL", "Het webadres van de bron klopt niet. Het begint met https://."),
    (
        r"unknown source|field 'source'",
        "Kies een bron uit de lijst of vul een nieuw webadres in.",
    ),
    (r"field 'state'", "Kies of het gegeven gecontroleerd is of nog niet."),
    (r"field 'reason'", "Schrijf waarom de locatie dicht is."),
    (r"field 'value'", "Vul de nieuwe tekst in."),
    (r"field 'weekly'|weekly\[", "De tijden kloppen niet. Schrijf elke regel zo: vrijdag 10:00-12:00."),
)
_DUTCH = tuple((re.compile(pattern), text) for pattern, text in _DUTCH_TEXTS)


def dutch(problem: str) -> str:
    """One problem of the loader or the overlay in Dutch for staff; an unknown kind is named as it is."""
    for pattern, text in _DUTCH:
        if pattern.search(problem):
            return text
    return f"Deze wijziging past niet in de inhoud ({problem}). Meld dit bij beheer."


def dutch_problems(problems: Iterable[str]) -> list[str]:
    """Each different Dutch message once, in the order the problems came."""
    out: list[str] = []
    for problem in problems:
        text = dutch(problem)
        if text not in out:
            out.append(text)
    return out
