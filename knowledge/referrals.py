"""Turns a topic's referral targets into concrete places and helplines for a resident's municipality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knowledge.dutch import format_session, format_weekly
from knowledge.models import Catalog, Location
from knowledge.schedule import current_session, upcoming_sessions


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
    open_now: bool | None = None
    now_until: str | None = None
    next_sessions: tuple[str, ...] = ()
    verify: bool = False
    elsewhere: bool = False

    def as_contract(self) -> dict[str, object]:
        """The JSON fields of the triage contract (plus ``next_open`` and ``verify`` for staff)."""
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
        }


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
    sessions = upcoming_sessions(catalog, location, service_id, now, count=3)
    ongoing = current_session(catalog, location, service_id, now)
    return Referral(
        id=service_id,
        name=f"{service.name} – {location.name}",
        kind="service",
        gemeente=location.gemeente,
        address=location.address,
        opening_hours=format_weekly(schedule.weekly) or None,
        phone=location.phone,
        url=location.url,
        description=service.description,
        appointment=service.appointment,
        open_now=ongoing is not None,
        now_until=f"{ongoing.end:%H:%M}" if ongoing else None,
        next_sessions=tuple(format_session(s.start, s.end) for s in sessions),
        verify=schedule.verify or location.verify or service.verify,
        elsewhere=elsewhere,
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
                    opening_hours=org.hours,
                    phone=org.phone,
                    url=org.url,
                    description=org.description,
                    verify=org.verify,
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
