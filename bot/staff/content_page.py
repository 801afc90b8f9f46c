"""What the content page (/inhoud) shows and what its forms send: the list of local facts with state and age,
one fact's form, staff closures, and the change history, all built from knowledge/ plus the API's overlay.

Why here and not in the API: these are staff screens (Dutch labels, dates as staff read them); the API only
stores and validates edits. "Today" is knowledge/clock.py, the clock every process shares.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from knowledge.clock import TIMEZONE, today
from knowledge.loader import CONTENT_DIR, load_catalog
from knowledge.local_facts import STATE_LABELS, LocalFact, attention_order, local_facts
from knowledge.models import CONFIRMED, Catalog
from knowledge.overlay import Edit, patcher
from knowledge.validation import read_yaml

NEW_SOURCE = "nieuw"
TIMES_LINE = re.compile(r"^\s*(\S+)\s+(\S+)\s*-\s*(\S+)\s*$")
MAX_TEXT = 300
ROLE_LABELS = {"editor": "redacteur"}


class FormProblem(ValueError):
    """A form that cannot become an edit; the message is Dutch for staff."""


def catalog_with(overlay: Mapping[str, Edit], content_dir: Path | None = None) -> Catalog:
    """knowledge/ with the overlay applied (the API validated every edit in it)."""
    return load_catalog(content_dir, patcher(overlay))


def source_pages(content_dir: Path | None = None) -> dict[str, dict[str, tuple[str, str]]]:
    """The ``sources:`` pages of organisations.yml and locations.yml: file -> key -> (url, name)."""
    root = content_dir or CONTENT_DIR
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for name in ("organisations.yml", "locations.yml"):
        _, data = read_yaml(root / name, name, [])
        pages = data.get("sources") if isinstance(data, dict) else None
        out[f"knowledge/{name}"] = {
            str(key): (str(item.get("url", "")), str(item.get("name", "")))
            for key, item in (pages or {}).items()
            if isinstance(item, dict)
        }
    return out


@dataclass(frozen=True)
class FactRow:
    """One row of the list: the fact, its state in Dutch, when it was checked and how long ago."""

    fact: LocalFact
    state_label: str
    checked: str  # "17-06-2021" or ""
    age: str  # "1994 dagen geleden" or ""


def _day(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value is not None else ""


def rows(catalog: Catalog, day: date | None = None) -> list[FactRow]:
    """Every local fact, unconfirmed and oldest first, as the list shows them."""
    current = day or today()
    out = []
    for fact in attention_order(local_facts(catalog)):
        days = fact.age_days(current)
        age = "" if days is None else ("vandaag" if days == 0 else f"{days} dagen geleden")
        out.append(FactRow(fact, STATE_LABELS[fact.state], _day(fact.checked_on), age))
    return out


def find_fact(catalog: Catalog, key: str) -> LocalFact | None:
    """The fact with this overlay key, or None."""
    return next((fact for fact in local_facts(catalog) if fact.key == key), None)


def _text(form: Mapping[str, str], name: str) -> str:
    return " ".join(str(form.get(name, "")).split())


def parse_times(text: str) -> list[dict[str, str]]:
    """ "vrijdag 10:00-12:00" per line into weekly slots; the loader then checks the day and the times."""
    slots = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = TIMES_LINE.match(line)
        if match is None:
            raise FormProblem(
                f"Niet opgeslagen. Schrijf elke regel zo: vrijdag 10:00-12:00 (niet: '{line.strip()}')."
            )
        day, start, end = match.groups()
        slots.append({"day": day.lower(), "start": start, "end": end})
    return slots


def fact_change(fact: LocalFact, form: Mapping[str, str], confirm_only: bool) -> dict[str, Any]:
    """The change for the API from the fact form: a confirmation keeps the value, a correction sets it."""
    change: dict[str, Any] = {"checked_on": today().isoformat()}
    if confirm_only:
        if fact.check is None:
            raise FormProblem("Niet opgeslagen. Dit gegeven is nog onbekend. Vul eerst de juiste waarde in.")
        change["state"] = CONFIRMED
    else:
        change["state"] = _text(form, "state")
        if fact.times:
            change["weekly"] = parse_times(str(form.get("value", "")))
        else:
            value = _text(form, "value")
            if not value:
                raise FormProblem("Niet opgeslagen. Vul de nieuwe tekst in.")
            change["value"] = value
    source = _text(form, "source")
    if source == NEW_SOURCE:
        url = _text(form, "source_url")
        if not url:
            raise FormProblem("Niet opgeslagen. Vul het webadres van de nieuwe bron in.")
        change["source"] = {"url": url, "name": _text(form, "source_name") or url}
    else:
        change["source"] = source
    change["confirmed_by"] = _text(form, "confirmed_by") if change["state"] == CONFIRMED else ""
    change["note"] = _text(form, "note")
    for name in ("value", "note", "confirmed_by"):
        if len(str(change.get(name, ""))) > MAX_TEXT:
            raise FormProblem(f"Niet opgeslagen. De tekst is te lang. Gebruik hoogstens {MAX_TEXT} tekens.")
    return change


def closure_edit(form: Mapping[str, str], catalog: Catalog, only_today: bool) -> tuple[str, dict[str, Any]]:
    """(key, change) for a new closure; an unknown location or a bad date is left to the loader to refuse."""
    location = _text(form, "location")
    if not re.fullmatch(r"[a-z0-9_]{1,64}", location):
        raise FormProblem("Niet opgeslagen. Kies een locatie uit de lijst.")
    start = today().isoformat() if only_today else _text(form, "from")
    end = start if only_today else (_text(form, "to") or start)
    reason = _text(form, "reason")
    if len(reason) > MAX_TEXT:
        raise FormProblem(f"Niet opgeslagen. De tekst is te lang. Gebruik hoogstens {MAX_TEXT} tekens.")
    return f"location/{location}/closure/{secrets.token_hex(4)}", {"from": start, "to": end, "reason": reason}


def session_edit(form: Mapping[str, str], cancel: bool) -> tuple[str, dict[str, Any]]:
    """(key, change) for one extra session or one day a service does not take place."""
    location, _, service = _text(form, "schedule").partition("|")
    if not (re.fullmatch(r"[a-z0-9_]{1,64}", location) and re.fullmatch(r"[a-z0-9_]{1,64}", service)):
        raise FormProblem("Niet opgeslagen. Kies een dienst en locatie uit de lijst.")
    token = secrets.token_hex(4)
    day = _text(form, "date")
    if cancel:
        return f"location/{location}/cancel/{service}/{token}", {"date": day}
    change: dict[str, Any] = {"date": day, "start": _text(form, "start"), "end": _text(form, "end")}
    # Used only when the service has no checked times yet: adding the session confirms it.
    change.update(
        {
            "state": CONFIRMED,
            "checked_on": today().isoformat(),
            "confirmed_by": _text(form, "confirmed_by"),
            "source": _text(form, "source"),
        }
    )
    return f"location/{location}/session/{service}/{token}", change


@dataclass(frozen=True)
class StaffClosure:
    """A closure staff added and can withdraw."""

    edit: Edit
    location: str
    start: str
    end: str
    reason: str
    kind: str = "closure"  # "closure", "session" (one extra time) or "cancel" (one day not)


def staff_closures(catalog: Catalog, overlay: Mapping[str, Edit]) -> list[StaffClosure]:
    """The closures, extra sessions and cancelled days staff added that are not withdrawn, soonest first."""
    names = {loc.id: loc.name for loc in catalog.locations}
    out = []
    for edit in overlay.values():
        parts = edit.key.split("/")
        if parts[0] != "location" or edit.change.get("cancelled"):
            continue
        if len(parts) == 5 and parts[2] in ("session", "cancel"):
            out.append(_dated(edit, parts, names))
        elif len(parts) == 4 and parts[2] == "closure":
            change = edit.change
            where = names.get(parts[1], parts[1])
            start, end = _iso_day(change.get("from")), _iso_day(change.get("to"))
            out.append(StaffClosure(edit, where, start, end, str(change.get("reason", ""))))
    return sorted(out, key=lambda c: (str(c.edit.change.get("from") or c.edit.change.get("date")), c.edit.id))


def _dated(edit: Edit, parts: list[str], names: Mapping[str, str]) -> StaffClosure:
    change = edit.change
    where = names.get(parts[1], parts[1])
    day = _iso_day(change.get("date"))
    if parts[2] == "cancel":
        return StaffClosure(edit, where, day, day, f"{parts[3]} gaat niet door", "cancel")
    times = f"{parts[3]} extra, {change.get('start')}-{change.get('end')}"
    return StaffClosure(edit, where, day, day, times, "session")


def _iso_day(value: Any) -> str:
    try:
        return _day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


@dataclass(frozen=True)
class HistoryRow:
    """One line of the change history: when, what, which role."""

    when: str
    what: str
    change: str
    role: str


def _when(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone(TIMEZONE).strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return at


def describe(edit: Edit, catalog: Catalog) -> tuple[str, str]:
    """(what, change) of an edit in Dutch."""
    change = edit.change
    parts = edit.key.split("/")
    if len(parts) == 4 and parts[2] == "closure":
        name = next((loc.name for loc in catalog.locations if loc.id == parts[1]), parts[1])
        if change.get("cancelled"):
            return f"{name}: sluiting", "ingetrokken"
        dates = _iso_day(change.get("from"))
        if change.get("to") != change.get("from"):
            dates += " tot en met " + _iso_day(change.get("to"))
        return f"{name}: sluiting", f"gesloten {dates}: {change.get('reason', '')}"
    if len(parts) == 5 and parts[2] in ("session", "cancel"):
        name = next((loc.name for loc in catalog.locations if loc.id == parts[1]), parts[1])
        what = f"{name}: {parts[3]} op één dag"
        if change.get("cancelled"):
            return what, "ingetrokken"
        if parts[2] == "cancel":
            return what, f"gaat niet door op {_iso_day(change.get('date'))}"
        return what, f"extra keer op {_iso_day(change.get('date'))}, {change.get('start')}-{change.get('end')}"
    fact = find_fact(catalog, edit.key)
    what = fact.label if fact is not None else edit.key
    state = STATE_LABELS.get(str(change.get("state", "")), str(change.get("state", "")))
    if "weekly" in change:
        weekly = change.get("weekly") or []
        value = ", ".join(
            f"{s.get('day')} {s.get('start')}-{s.get('end')}" for s in weekly if isinstance(s, dict)
        )
        detail = f"tijden {value or 'geen'}"
    elif "value" in change:
        detail = f"nieuwe tekst: {change['value']}"
    else:
        detail = "tekst niet veranderd"
    who = f" door {change['confirmed_by']}" if change.get("confirmed_by") else ""
    return what, f"{state}{who}; {detail}; gecontroleerd op {_iso_day(change.get('checked_on'))}"


def history_rows(edits: list[Edit], catalog: Catalog) -> list[HistoryRow]:
    """The history as the page shows it, newest first."""
    out = []
    for edit in edits:
        what, change = describe(edit, catalog)
        out.append(HistoryRow(_when(edit.at), what, change, ROLE_LABELS.get(edit.role, edit.role)))
    return out
