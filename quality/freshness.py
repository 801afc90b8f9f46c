"""Lists the content facts library staff still have to check: every topic marked ``verify: true``, every
local fact whose state is not ``confirmed``, every local fact that is not known at all, and every review or
source date older than twelve months.

Why: phone numbers, opening hours and procedures change, and a resident who is sent to a closed desk
loses trust in the assistant. The loader only checks that the content is well-formed; this module says
what is probably out of date, so staff can work through a list. It reports, it never fails a build:
an unverified fact may still be the best we know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.models import Catalog, Check, Fact, Source

STALE_AFTER_MONTHS = 12


@dataclass(frozen=True)
class Attention:
    """One fact or date that needs a look, and where it is."""

    reason: str  # "unverified", "unknown" or "stale"
    file: str  # content file, relative to the repository root
    item: str  # "topic digid_aanvragen", "location hub_kerkrade, address", "location hub_kerkrade, schedule …"
    detail: str  # the verify note, or which date is old and the page it belongs to

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.detail}"


def stale_before(today: date, months: int = STALE_AFTER_MONTHS) -> date:
    """The first date that is still fresh: ``today`` minus ``months`` (29 February becomes 28)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    day = today.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _source_dates(file: str, item: str, sources: tuple[Source, ...], limit: date) -> list[Attention]:
    return [
        Attention(
            "stale",
            file,
            item,
            f"source checked on {source.checked_on.isoformat()}, more than {STALE_AFTER_MONTHS} "
            f"months ago: {source.name or source.url}",
        )
        for source in sources
        if source.checked_on < limit
    ]


def _unverified(file: str, item: str, note: str | None) -> Attention:
    detail = note.strip() if note else "verify: true, but no note says which fact (see the file's comments)"
    return Attention("unverified", file, item, " ".join(detail.split()))


def _checked(file: str, item: str, check: Check, limit: date) -> list[Attention]:
    """An assumed fact is listed with its note; any fact checked more than 12 months ago is stale."""
    out = [] if check.confirmed else [_unverified(file, item, f"{check.state}: {check.note or ''}")]
    return out + _source_dates(file, item, (check.source,), limit)


def _facts(file: str, item: str, facts: dict[str, Fact | None], limit: date) -> list[Attention]:
    out: list[Attention] = []
    for name, fact in facts.items():
        if fact is None:
            out.append(Attention("unknown", file, f"{item}, {name}", "not known yet (null)"))
        else:
            out.extend(_checked(file, f"{item}, {name}", fact.check, limit))
    return out


def needs_attention(catalog: Catalog, today: date) -> list[Attention]:
    """Every unverified or unknown fact and every date older than 12 months: topics first, then organisations,
    services, locations and their schedules. Local facts are listed per field ("location hub_kerkrade,
    address")."""
    limit = stale_before(today)
    out: list[Attention] = []
    for topic in sorted(catalog.topics.values(), key=lambda t: t.id):
        file, item = f"knowledge/topics/{topic.id}.yml", f"topic {topic.id}"
        if topic.verify:
            out.append(_unverified(file, item, topic.verify_note))
        if topic.reviewed_on < limit:
            out.append(
                Attention(
                    "stale",
                    file,
                    item,
                    f"reviewed on {topic.reviewed_on.isoformat()}, more than {STALE_AFTER_MONTHS} months ago",
                )
            )
        out.extend(_source_dates(file, item, topic.sources, limit))
    for org in sorted(catalog.organisations.values(), key=lambda o: o.id):
        file, item = "knowledge/organisations.yml", f"organisation {org.id}"
        out.extend(_source_dates(file, item, (org.source,), limit))
        out.extend(_facts(file, item, {"phone": org.phone, "hours": org.hours}, limit))
    for service in sorted(catalog.services.values(), key=lambda s: s.id):
        file, item = "knowledge/locations.yml", f"service {service.id}"
        out.extend(_source_dates(file, item, (service.source,), limit))
        for name, fact in service.facts().items():
            out.extend(_checked(file, f"{item}, {name}", fact.check, limit))
        for gemeente, check in sorted(service.absent_in.items()):
            out.extend(_checked(file, f"{item}, absent in {gemeente}", check, limit))
    for location in catalog.locations:
        file, item = "knowledge/locations.yml", f"location {location.id}"
        out.extend(_source_dates(file, item, (location.source,), limit))
        out.extend(_facts(file, item, {"address": location.address, "phone": location.phone}, limit))
        for service_id, schedule in sorted(location.services.items()):
            sitem = f"{item}, schedule {service_id}"
            if schedule.check is None:
                out.append(Attention("unknown", file, sitem, " ".join((schedule.note or "no times").split())))
            else:
                out.extend(_checked(file, sitem, schedule.check, limit))
    return out
