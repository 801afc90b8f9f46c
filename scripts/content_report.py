"""Print the content report for library staff: unverified facts, dates older than 12 months and the
readability scores per topic (``make content-report``).

Why a script: staff and the lead run it by hand before a content review; it never fails a build. It
exits 2 only when the content itself cannot be loaded, and prints the loader's problems then.

Usage::

    python -m scripts.content_report [--today YYYY-MM-DD] [--json results/content-report.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from knowledge import ContentError, load_catalog
from quality.report import build_report, render_text
from quality.vocabulary import AllowListError, load_allowed_terms


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc


def main(argv: list[str] | None = None) -> int:
    """Build and print the report; see the module docstring."""
    parser = argparse.ArgumentParser(description="Wegwijzer content report for staff.")
    parser.add_argument("--today", type=_day, default=date.today(), help="reference date (default: today)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog()
        allowed = load_allowed_terms()
    except (ContentError, AllowListError) as exc:
        print(f"content cannot be loaded:\n{exc}", file=sys.stderr)
        return 2
    report = build_report(catalog, allowed, args.today)
    print(render_text(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
