"""Every local fact staff can confirm or correct, with its overlay key, its state and its age.

Why here and not in the staff app: the staff page, ``make content-report`` and the export must name the same
facts with the same keys (knowledge/overlay.py), and agree on which of them are unconfirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.loader import WEEKDAYS
from knowledge.models import Catalog, Check, Fact, ServiceSchedule

FIELD_LABELS = {
    "address": "adres",
    "phone": "telefoonnummer",
    "hours": "openingstijden",
    "appointment": "afspraak nodig?",
    "cost": "kosten",
}
STATE_LABELS = {"confirmed": "gecontroleerd", "assumed": "niet gecontroleerd", "unknown": "onbekend"}


@dataclass(frozen=True)
class LocalFact:
    """One checkable local fact as staff see it."""

    key: str  # the overlay key (knowledge/overlay.py)
    file: str  # the content file, as content-report names it
    item: str  # content-report's item ("location hub_kerkrade, address")
    label: str  # Dutch: "HuB. Bibliotheek Kerkrade: adres"
    times: bool  # True for weekly times (value lines "vrijdag 10:00-12:00")
    value: str | None  # None: not known yet
    check: Check | None  # None: not known yet (nothing to confirm)

    @property
    def state(self) -> str:
        """``confirmed``, ``assumed`` or ``unknown``."""
        return self.check.state if self.check is not None else "unknown"

    @property
    def confirmed(self) -> bool:
        """True when a role confirmed the fact."""
        return self.check is not None and self.check.confirmed

    @property
    def checked_on(self) -> date | None:
        """The day the fact was last checked against its source."""
        return self.check.source.checked_on if self.check is not None else None

    def age_days(self, today: date) -> int | None:
        """Days since the last check."""
        return (today - self.checked_on).days if self.checked_on is not None else None


def times_text(schedule: ServiceSchedule) -> str:
    """Weekly times as staff type them: one "vrijdag 10:00-12:00" per line."""
    return "\n".join(f"{WEEKDAYS[s.weekday]} {s.start:%H:%M}-{s.end:%H:%M}" for s in schedule.weekly)


def _fact(key: str, file: str, item: str, label: str, fact: Fact | None) -> LocalFact:
    if fact is None:
        return LocalFact(key, file, item, label, False, None, None)
    return LocalFact(key, file, item, label, False, fact.value, fact.check)


def local_facts(catalog: Catalog) -> list[LocalFact]:
    """Every local fact in content order: organisations, services, then locations with their times."""
    out: list[LocalFact] = []
    for org in sorted(catalog.organisations.values(), key=lambda o: o.id):
        for name, fact in (("phone", org.phone), ("hours", org.hours)):
            item = f"organisation {org.id}, {name}"
            label = f"{org.name}: {FIELD_LABELS[name]}"
            out.append(_fact(f"org/{org.id}/{name}", "knowledge/organisations.yml", item, label, fact))
    for service in sorted(catalog.services.values(), key=lambda s: s.id):
        for name, fact in (("appointment", service.appointment), ("cost", service.cost)):
            item = f"service {service.id}, {name}"
            label = f"{service.name} (overal): {FIELD_LABELS[name]}"
            out.append(_fact(f"service/{service.id}/{name}", "knowledge/locations.yml", item, label, fact))
    for location in catalog.locations:
        for name, fact in (("address", location.address), ("phone", location.phone)):
            item = f"location {location.id}, {name}"
            label = f"{location.name}: {FIELD_LABELS[name]}"
            out.append(_fact(f"location/{location.id}/{name}", "knowledge/locations.yml", item, label, fact))
        for service_id, schedule in sorted(location.services.items()):
            service_name = catalog.services[service_id].name if service_id in catalog.services else service_id
            out.append(
                LocalFact(
                    key=f"location/{location.id}/times/{service_id}",
                    file="knowledge/locations.yml",
                    item=f"location {location.id}, schedule {service_id}",
                    label=f"{location.name}: tijden {service_name}",
                    times=True,
                    value=times_text(schedule) or None,
                    check=schedule.check,
                )
            )
    return out


def attention_order(facts: list[LocalFact]) -> list[LocalFact]:
    """Unconfirmed first (assumed, then unknown), then the oldest check first; content order breaks ties."""
    rank = {"assumed": 0, "unknown": 1, "confirmed": 2}
    return sorted(facts, key=lambda f: (rank.get(f.state, 0), f.checked_on or date.min))
