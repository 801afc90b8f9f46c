"""Turns a topic's referral targets into concrete places and helplines for a resident's municipality.

Every shown fact keeps its verification state (``Referral.checks``): the chat renders an assumed fact with a
warning beside it or not at all, and staff get the state per field in the triage contract. "Nu open" and the
next sessions are computed only from confirmed weekly times: a guess must not send anyone to a closed desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from knowledge.dutch import format_session, format_weekly
from knowledge.models import Catalog, Check, Fact, Location, fact_value
from knowledge.schedule import current_session, upcoming_sessions

# Contract field names of the facts that carry a state (the order staff read them in).
CHECKED_FIELDS = ("address", "opening_hours", "phone", "appointment", "cost")


@dataclass(frozen=True)
class Referral:
    """One place or helpline to refer a resident to; the shape of the staff triage contract."""

    id: str
    name: str
    kind: str
    gemeente: str | None
    address: str | None
    opening_hours: str | None
    phone: str | None
    url: str | None
    description: str = ""
    appointment: str | None = None
    cost: str | None = None
    open_now: bool | None = None
    now_until: str | None = None
    next_sessions: tuple[str, ...] = ()
    elsewhere: bool = False
    # The location's own name ("HuB. Bibliotheek Kerkrade"); None for a helpline.
    place: str | None = None
    # The check of every shown fact, by contract field name; a field without a value has no entry.
    checks: dict[str, Check] = field(default_factory=dict)

    def confirmed(self, name: str) -> bool:
        """True when field ``name`` has a value that a role confirmed."""
        check = self.checks.get(name)
        return check is not None and check.confirmed

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """The contract fields shown with a value that nobody confirmed, in reading order."""
        return tuple(name for name in CHECKED_FIELDS if name in self.checks and not self.checks[name].confirmed)

    @property
    def verify(self) -> bool:
        """True when at least one shown fact is unconfirmed (the contract's original ``verify`` flag)."""
        return bool(self.unconfirmed)

    def as_contract(self) -> dict[str, object]:
        """The JSON fields of the triage contract.

        ``next_open`` is null unless the weekly times are confirmed. ``verify`` stays for existing clients
        (true when any field is unconfirmed); ``unconfirmed`` names those fields, and ``checks`` gives staff the
        state, source, date and role of every field that has a value.
        """
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "gemeente": self.gemeente,
            "address": self.address,
            "opening_hours": self.opening_hours,
            "phone": self.phone,
            "url": self.url,
            "next_open": self.next_sessions[0] if self.next_sessions else None,
            "verify": self.verify,
            "appointment": self.appointment,
            "cost": self.cost,
            "unconfirmed": list(self.unconfirmed),
            "checks": {
                name: _check_contract(self.checks[name]) for name in CHECKED_FIELDS if name in self.checks
            },
        }


def _check_contract(check: Check) -> dict[str, object]:
    return {
        "state": check.state,
        "source_url": check.source.url,
        "source_name": check.source.name,
        "checked_on": check.source.checked_on.isoformat(),
        "confirmed_by": check.confirmed_by,
        "note": check.note,
    }


def _checks(facts: dict[str, Fact | None], schedule_check: Check | None = None) -> dict[str, Check]:
    out = {name: fact.check for name, fact in facts.items() if fact is not None}
    if schedule_check is not None:
        out["opening_hours"] = schedule_check
    return out


def _service_locations(catalog: Catalog, service_id: str, gemeente: str) -> tuple[list[Location], bool]:
    """Locations of a service in ``gemeente``, else in the nearest municipalities that have it."""
    here = catalog.locations_with(service_id, gemeente)
    if here:
        return here, False
    for other in catalog.gemeenten[gemeente].nearby:
        there = catalog.locations_with(service_id, other)
        if there:
            return there, True
    return [], False


def _service_referral(
    catalog: Catalog, service_id: str, location: Location, now: datetime, elsewhere: bool
) -> Referral:
    service = catalog.services[service_id]
    schedule = location.services[service_id]
    hours = format_weekly(schedule.weekly) or None
    # Only confirmed times say "open now" or give dates; assumed times stay a staff matter.
    sessions = upcoming_sessions(catalog, location, service_id, now, count=3) if schedule.confirmed else []
    ongoing = current_session(catalog, location, service_id, now) if schedule.confirmed else None
    if hours is None and sessions:
        # Only single sessions (staff added an E-café once): the dates are the times.
        hours = "; ".join(format_session(s.start, s.end) for s in sessions)
    return Referral(
        id=service_id,
        name=f"{service.name} – {location.name}",
        kind="service",
        gemeente=location.gemeente,
        address=fact_value(location.address),
        opening_hours=hours,
        phone=fact_value(location.phone),
        url=location.url,
        description=service.description,
        appointment=fact_value(service.appointment),
        cost=fact_value(service.cost),
        open_now=(ongoing is not None) if schedule.confirmed else None,
        now_until=f"{ongoing.end:%H:%M}" if ongoing else None,
        next_sessions=tuple(format_session(s.start, s.end) for s in sessions),
        elsewhere=elsewhere,
        place=location.name,
        checks=_checks(
            {
                "address": location.address,
                "phone": location.phone,
                "appointment": service.appointment,
                "cost": service.cost,
            },
            schedule.check if hours else None,
        ),
    )


def referrals_for(
    catalog: Catalog, targets: tuple[str, ...], gemeente: str | None, now: datetime
) -> list[Referral]:
    """Concrete referrals for ``targets`` (service or organisation ids), best first.

    Local services need a municipality: without one they are listed for every municipality that has them, so
    staff see all options; with one, the resident's own (or the nearest) location is given.
    """
    out: list[Referral] = []
    for target in targets:
        if target in catalog.organisations:
            org = catalog.organisations[target]
            out.append(
                Referral(
                    id=org.id,
                    name=org.name,
                    kind=org.kind,
                    gemeente=None,
                    address=None,
                    opening_hours=fact_value(org.hours),
                    phone=fact_value(org.phone),
                    url=org.url,
                    description=org.description,
                    checks=_checks({"opening_hours": org.hours, "phone": org.phone}),
                )
            )
            continue
        if gemeente is not None and gemeente in catalog.gemeenten:
            locations, elsewhere = _service_locations(catalog, target, gemeente)
        else:
            locations = [loc for loc in catalog.locations if target in loc.services]
            elsewhere = False
        out.extend(_service_referral(catalog, target, loc, now, elsewhere) for loc in locations)
    return out
