"""The content report's staff lists: unverified facts with their notes, and dates older than 12 months.

These report, they do not gate content: the real catalogue is only checked for the shape of the list.
The date logic is checked on a copy of the content with dates set on purpose.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from knowledge import Catalog, load_catalog
from knowledge.loader import CONTENT_DIR
from quality.freshness import needs_attention, stale_before
from quality.report import build_report, render_text
from quality.vocabulary import AllowedTerm

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 25), date(2025, 11, 25)),
        (date(2026, 1, 15), date(2025, 1, 15)),
        (date(2028, 2, 29), date(2027, 2, 28)),
    ],
)
def test_stale_before_is_twelve_months_back(today: date, expected: date) -> None:
    assert stale_before(today) == expected


@pytest.fixture()
def aged_content(tmp_path: Path) -> Path:
    """Content copy: one topic reviewed long ago, its sources read exactly a year before 2026-11-25."""
    target = tmp_path / "knowledge"
    shutil.copytree(CONTENT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / "topics" / "afscheid.yml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"reviewed_on: \S+", "reviewed_on: 2024-03-01", text)
    text = re.sub(r"checked_on: \S+", "checked_on: 2025-11-25", text)
    path.write_text(text, encoding="utf-8")
    return target


def test_old_review_is_listed_and_a_date_exactly_a_year_old_is_not(aged_content: Path) -> None:
    # arrange
    catalog = load_catalog(aged_content)
    # act
    items = needs_attention(catalog, date(2026, 11, 25))
    # assert
    about = [a for a in items if a.item == "topic afscheid"]
    assert [a.reason for a in about] == ["stale"]
    assert "reviewed on 2024-03-01" in about[0].detail


def test_one_day_later_the_year_old_source_is_stale(aged_content: Path) -> None:
    catalog = load_catalog(aged_content)
    items = needs_attention(catalog, date(2026, 11, 26))
    assert any(a.item == "topic afscheid" and "checked on 2025-11-25" in a.detail for a in items)


def test_every_unverified_topic_and_schedule_is_listed_with_its_note(catalog: Catalog) -> None:
    items = needs_attention(catalog, date(2026, 11, 25))
    unverified = {a.item: a.detail for a in items if a.reason == "unverified"}
    unknown = {a.item for a in items if a.reason == "unknown"}
    for topic in catalog.topics.values():
        if topic.verify:
            assert unverified[f"topic {topic.id}"] == " ".join((topic.verify_note or "").split())
    for location in catalog.locations:
        for service_id, schedule in location.services.items():
            item = f"location {location.id}, schedule {service_id}"
            assert (item in unverified) is (schedule.check is not None and not schedule.confirmed), item
            assert (item in unknown) is (schedule.check is None), item


def _local_facts(catalog: Catalog) -> list[tuple[str, object]]:
    """(report item, fact or None) for every checkable local fact in the content."""
    out: list[tuple[str, object]] = []
    for org in catalog.organisations.values():
        out += [(f"organisation {org.id}, phone", org.phone), (f"organisation {org.id}, hours", org.hours)]
    for service in catalog.services.values():
        out += [(f"service {service.id}, {name}", fact) for name, fact in service.facts().items()]
    for loc in catalog.locations:
        out += [(f"location {loc.id}, address", loc.address), (f"location {loc.id}, phone", loc.phone)]
    return out


def test_the_report_agrees_with_the_state_of_every_local_fact(catalog: Catalog) -> None:
    items = needs_attention(catalog, date(2026, 12, 1))
    unverified = {a.item: a.detail for a in items if a.reason == "unverified"}
    unknown = {a.item for a in items if a.reason == "unknown"}
    facts = _local_facts(catalog)
    assert facts
    for item, fact in facts:
        if fact is None:
            assert item in unknown and item not in unverified, item
        elif fact.confirmed:  # type: ignore[attr-defined]
            assert item not in unverified and item not in unknown, item
        else:
            assert unverified[item] == f"assumed: {' '.join(fact.check.note.split())}", item  # type: ignore[attr-defined]


def test_a_confirmed_helpline_is_not_on_the_list(catalog: Catalog) -> None:
    items = needs_attention(catalog, date(2026, 12, 1))
    assert not [a for a in items if a.item.startswith("organisation fraudehelpdesk")]


def test_report_text_has_every_section_and_every_topic(
    catalog: Catalog, allowed: tuple[AllowedTerm, ...]
) -> None:
    report = build_report(catalog, allowed, date(2026, 11, 25))
    text = render_text(report)
    headings = (
        "1. Unverified facts",
        "1b. Local facts not known yet",
        "2. Reviewed or checked more than 12 months",
    )
    for heading in (*headings, "3. Readability"):
        assert heading in text
    for topic_id in catalog.topics:
        assert re.search(rf"^   {topic_id} +\d", text, re.MULTILINE), topic_id


def test_report_script_runs_with_a_given_date_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "scripts/content_report.py", "--today", "2030-01-01", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "content report, 2030-01-01" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["stale_before"] == "2029-01-01"
    # in 2030 every review from 2026 is more than a year old
    assert any(a["item"] == "topic digid_aanvragen" and a["reason"] == "stale" for a in data["attention"])
    assert {row["topic"] for row in data["readability"]} == set(load_catalog().topics)


def test_report_script_rejects_a_bad_date() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/content_report.py", "--today", "25-11-2026"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "not an ISO date" in result.stderr
