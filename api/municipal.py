"""The figures the library reports to each municipality, per month: conversations, questions answered, share
not understood, referrals per kind of desk, requests for a person, and helpfulness.

Built only from released figures (api/release.py) and sums of them, so it shows nothing the statistics API
does not. The CSV follows Dutch spreadsheet conventions: semicolons between fields, a decimal comma, dates as
dd-mm-jjjj, UTF-8 with a byte-order mark so Excel reads the accents.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from api.release import Release
from api.reports import Releases, derived_sum
from api.suppression import Published
from knowledge.reach import ReachVocabulary

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
HELPLINES = "Landelijke hulplijnen"
UNKNOWN = "Gemeente onbekend"
ALL = "Alle gemeenten"


@dataclass(frozen=True)
class Column:
    """One column of the report: its Dutch heading."""

    heading: str


@dataclass(frozen=True)
class Row:
    """One municipality's figures, in column order, as shown."""

    name: str
    figures: tuple[Published, ...]
    not_understood_percent: str
    helpful_percent: str


@dataclass(frozen=True)
class MunicipalReport:
    """The monthly report: a row per municipality, one for an unknown municipality, and all together."""

    month: dt.date
    label: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def month_label(month: dt.date) -> str:
    """``november 2026``."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def percent(part: Published, whole: Published) -> str:
    """A percentage with a decimal comma ("12,5 %"), or "onbekend" when a part is hidden or the whole is 0."""
    if part.count is None or whole.count is None or whole.count == 0:
        return "onbekend"
    return f"{100 * part.count / whole.count:.1f}".replace(".", ",") + " %"


def _desk_groups(vocabulary: ReachVocabulary, service_ids: frozenset[str]) -> list[tuple[str, list[str]]]:
    """Local desks one by one, national helplines together: the kinds of desk the library reports."""
    local = [(vocabulary.targets[t], [t]) for t in vocabulary.targets if t in service_ids]
    national = [t for t in vocabulary.targets if t not in service_ids]
    return [*local, (HELPLINES, national)]


def build_report(
    releases: Releases,
    month: dt.date,
    vocabulary: ReachVocabulary,
    service_ids: frozenset[str],
    threshold: int,
) -> MunicipalReport:
    """The report for the settled month starting on ``month`` (which must be in ``releases``)."""

    def kind(name: str) -> Release:
        return releases.of(month, name)

    desks = _desk_groups(vocabulary, service_ids)
    columns = (
        Column("Gesprekken"),
        Column("Beantwoord"),
        Column("Niet begrepen"),
        *(Column(f"Verwezen: {label}") for label, _ in desks),
        Column("Medewerker gevraagd"),
        Column("Geholpen: ja"),
        Column("Geholpen: nee"),
    )
    rows = []
    places: list[tuple[str, str | None]] = [(name, gid) for gid, name in vocabulary.gemeenten.items()]
    referred = kind("referred").crosses[("gemeente", "target")]
    feedback = kind("feedback").crosses[("gemeente", "helpful")]
    for name, gemeente in [*places, (UNKNOWN, None)]:
        rows.append(_row(name, *_in_municipality(kind, referred, feedback, gemeente), desks, threshold))
    rows.append(
        _row(
            ALL,
            lambda k: kind(k).total,
            lambda t: kind("referred").margin("target", t),
            lambda f: kind("feedback").margin("helpful", f),
            desks,
            threshold,
        )
    )
    return MunicipalReport(month, month_label(month), columns, tuple(rows))


Source = Callable[[str], Published]


def _in_municipality(
    kind: Callable[[str], Release],
    referred: Mapping[tuple[str | None, str | None], Published],
    feedback: Mapping[tuple[str | None, str | None], Published],
    gemeente: str | None,
) -> tuple[Source, Source, Source]:
    """The figures of one municipality: per kind, per referral target, per yes/no."""
    zero = Published(0, "0")

    def count(name: str) -> Published:
        return kind(name).margin("gemeente", gemeente)

    def referrals_to(target: str) -> Published:
        return referred.get((gemeente, target), zero)

    def helpful(flag: str) -> Published:
        return feedback.get((gemeente, flag), zero)

    return count, referrals_to, helpful


def _row(
    name: str,
    count: Source,
    referrals_to: Source,
    helpful: Source,
    desks: list[tuple[str, list[str]]],
    threshold: int,
) -> Row:
    """One row: ``count`` gives a kind's figure, ``referrals_to`` a target's, ``helpful`` a yes/no figure, all
    for the row's municipality (or for all together)."""
    answered, not_understood = count("answered"), count("not_understood")
    yes, no = helpful("true"), helpful("false")
    desk_figures = [_one_or_sum([referrals_to(t) for t in ids], threshold) for _, ids in desks]
    figures = (
        count("conversation_started"),
        answered,
        not_understood,
        *desk_figures,
        count("handoff_requested"),
        yes,
        no,
    )
    return Row(
        name,
        figures,
        percent(not_understood, derived_sum([answered, not_understood], threshold)),
        percent(yes, derived_sum([yes, no], threshold)),
    )


def _one_or_sum(parts: list[Published], threshold: int) -> Published:
    return parts[0] if len(parts) == 1 else derived_sum(parts, threshold)


def report_csv(report: MunicipalReport) -> str:
    """The report as a CSV for Dutch spreadsheets (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    last_day = (report.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    headings = [c.heading for c in report.columns]
    writer.writerow(["Maand", "Van", "Tot en met", "Gemeente", *headings, "Niet begrepen (%)", "Geholpen (%)"])
    for row in report.rows:
        writer.writerow(
            [
                report.label,
                report.month.strftime("%d-%m-%Y"),
                last_day.strftime("%d-%m-%Y"),
                row.name,
                *(figure.shown for figure in row.figures),
                row.not_understood_percent.removesuffix(" %"),
                row.helpful_percent.removesuffix(" %"),
            ]
        )
    return "\ufeff" + buffer.getvalue()
