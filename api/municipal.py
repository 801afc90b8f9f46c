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
    """One column of the report: its Dutch heading and what it counts."""

    heading: str
    explanation: str


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
        Column("Gesprekken", "begonnen gesprekken"),
        Column("Beantwoord", "vragen met een antwoord"),
        Column("Niet begrepen", "vragen die de assistent niet begreep"),
        *(Column(f"Verwezen: {label}", "doorverwijzingen") for label, _ in desks),
        Column("Medewerker gevraagd", "keren dat een inwoner een mens wilde spreken"),
        Column("Geholpen: ja", "beoordelingen 'dit heeft geholpen'"),
        Column("Geholpen: nee", "beoordelingen 'dit heeft niet geholpen'"),
    )
    places: list[tuple[str, str | None]] = [(name, gid) for gid, name in vocabulary.gemeenten.items()]
    places.append((UNKNOWN, None))
    rows = []
    for name, gemeente in places:
        referred = kind("referred").crosses[("gemeente", "target")]
        feedback = kind("feedback").crosses[("gemeente", "helpful")]
        zero = Published(0, "0")
        desk_figures = [
            _one_or_sum([referred.get((gemeente, t), zero) for t in ids], threshold) for _, ids in desks
        ]
        answered = kind("answered").margin("gemeente", gemeente)
        not_understood = kind("not_understood").margin("gemeente", gemeente)
        yes = feedback.get((gemeente, "true"), zero)
        no = feedback.get((gemeente, "false"), zero)
        figures = (
            kind("conversation_started").margin("gemeente", gemeente),
            answered,
            not_understood,
            *desk_figures,
            kind("handoff_requested").margin("gemeente", gemeente),
            yes,
            no,
        )
        rows.append(
            Row(
                name,
                figures,
                percent(not_understood, derived_sum([answered, not_understood], threshold)),
                percent(yes, derived_sum([yes, no], threshold)),
            )
        )
    rows.append(_all_row(releases, month, desks, threshold))
    return MunicipalReport(month, month_label(month), columns, tuple(rows))


def _one_or_sum(parts: list[Published], threshold: int) -> Published:
    return parts[0] if len(parts) == 1 else derived_sum(parts, threshold)


def _all_row(releases: Releases, month: dt.date, desks: list[tuple[str, list[str]]], threshold: int) -> Row:
    def kind(name: str) -> Release:
        return releases.of(month, name)

    answered = kind("answered").total
    not_understood = kind("not_understood").total
    yes = kind("feedback").margin("helpful", "true")
    no = kind("feedback").margin("helpful", "false")
    desk_figures = [
        _one_or_sum([kind("referred").margin("target", t) for t in ids], threshold) for _, ids in desks
    ]
    figures = (
        kind("conversation_started").total,
        answered,
        not_understood,
        *desk_figures,
        kind("handoff_requested").total,
        yes,
        no,
    )
    return Row(
        ALL,
        figures,
        percent(not_understood, derived_sum([answered, not_understood], threshold)),
        percent(yes, derived_sum([yes, no], threshold)),
    )


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
