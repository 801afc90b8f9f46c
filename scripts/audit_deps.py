"""Dependency audit: match every pin in requirements/*.lock against the committed advisory snapshot.

Why offline: pip-audit needs PyPI's JSON API or api.osv.dev, neither of which this machine or CI can
reach. quality/advisories.json (built by scripts/refresh_advisories.py) holds the OSV advisories of
exactly our pinned packages. The audit fails on a finding that is not an accepted exception, on an
exception that no longer matches anything (stale), and on a snapshot older than MAX_AGE_DAYS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCKS = (ROOT / "requirements" / "rasa.lock", ROOT / "requirements" / "app.lock")
DEFAULT_SNAPSHOT = ROOT / "quality" / "advisories.json"
DEFAULT_EXCEPTIONS = ROOT / "quality" / "audit-exceptions.yml"
MAX_AGE_DAYS = 90
REFRESH_HINT = (
    "refresh it: fetch a current pypa/advisory-database clone, then run "
    "`python -m scripts.refresh_advisories <its git dir>` and re-triage "
    "(docs/operations.md, 'Dependency audit')"
)


@dataclass(frozen=True)
class Finding:
    """One advisory that applies to one pinned version in one lock file."""

    lock: str
    package: str
    version: str
    advisory_id: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]


def normalize(name: str) -> str:
    """PEP 503 name normalization, so 'ruamel.yaml' and 'Ruamel_Yaml' match."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, str]:
    """Return {normalized name: version} for the `name==version` lines of a lock file."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "==" not in line:
            raise ValueError(f"{path}: not an exact pin: {line!r}")
        name, version = line.split("==", 1)
        pins[normalize(name.strip())] = version.split(";", 1)[0].strip()
    return pins


def _in_range(version: Version, events: list[dict]) -> bool:
    """OSV ECOSYSTEM range semantics: sorted events; introduced opens, fixed / last_affected close."""

    def key(event: dict) -> Version:
        value = next(iter(event.values()))
        return Version("0") if value == "0" else Version(str(value))

    affected = False
    for event in sorted(events, key=key):
        if "introduced" in event and version >= key(event):
            affected = True
        elif ("fixed" in event and version >= key(event)) or (
            "last_affected" in event and version > key(event)
        ):
            affected = False
    return affected


def is_affected(version: str, affected: dict) -> bool:
    """True if this version is listed explicitly or lies in an ECOSYSTEM range of the entry."""
    if version in affected.get("versions", []):
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    try:
        return any(
            _in_range(parsed, r.get("events", []))
            for r in affected.get("ranges", [])
            if r.get("type") == "ECOSYSTEM"
        )
    except InvalidVersion as error:  # a malformed advisory must not silently count as "not affected"
        raise ValueError(f"advisory range has a non-PEP 440 version: {error}") from error


def _fixed_versions(record: dict) -> tuple[str, ...]:
    return tuple(
        str(event["fixed"])
        for entry in record.get("affected", [])
        for r in entry.get("ranges", [])
        for event in r.get("events", [])
        if "fixed" in event
    )


def find(locks: dict[str, dict[str, str]], advisories: dict[str, list[dict]]) -> list[Finding]:
    """Every (lock, package, advisory) where the pinned version is affected; withdrawn advisories skipped."""
    findings = []
    for lock, pins in locks.items():
        for package, version in sorted(pins.items()):
            for record in advisories.get(package, []):
                if record.get("withdrawn"):
                    continue
                if any(is_affected(version, entry) for entry in record.get("affected", [])):
                    findings.append(
                        Finding(
                            lock=lock,
                            package=package,
                            version=version,
                            advisory_id=record["id"],
                            aliases=tuple(record.get("aliases", [])),
                            summary=record.get("summary", ""),
                            fixed=_fixed_versions(record),
                        )
                    )
    return findings


def load_exceptions(path: Path) -> list[dict]:
    """Read and validate the exceptions list; every entry needs id, package, reason and review date."""
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for entry in entries:
        missing = {"id", "package", "reason", "review_by"} - set(entry)
        if missing:
            raise ValueError(f"{path}: exception {entry.get('id')!r} lacks {sorted(missing)}")
        if not str(entry["reason"]).strip():
            raise ValueError(f"{path}: exception {entry['id']} has an empty reason")
    return entries


def _covers(entry: dict, finding: Finding) -> bool:
    ids = {finding.advisory_id, *finding.aliases}
    return normalize(str(entry["package"])) == finding.package and str(entry["id"]) in ids


def check(
    findings: list[Finding], exceptions: list[dict], snapshot_date: dt.date, today: dt.date, max_age_days: int
) -> list[str]:
    """Return the error lines; empty means the audit passes."""
    errors = []
    age = (today - snapshot_date).days
    if age > max_age_days:
        errors.append(
            f"advisory snapshot is {age} days old (source commit of {snapshot_date}, limit {max_age_days}); "
            + REFRESH_HINT
        )
    for finding in findings:
        if not any(_covers(entry, finding) for entry in exceptions):
            fixed = ", ".join(finding.fixed) or "none"
            errors.append(
                f"{finding.lock}: {finding.package}=={finding.version} is affected by {finding.advisory_id} "
                f"({', '.join(finding.aliases) or 'no aliases'}; fixed in: {fixed}): {finding.summary[:160]}"
            )
    for entry in exceptions:
        if not any(_covers(entry, finding) for finding in findings):
            errors.append(
                f"stale exception {entry['id']} for {entry['package']}: it matches no finding; remove it"
            )
        elif dt.date.fromisoformat(str(entry["review_by"])) < today:
            errors.append(
                f"exception {entry['id']} for {entry['package']} passed its review date {entry['review_by']}"
            )
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--exceptions", type=Path, default=DEFAULT_EXCEPTIONS)
    parser.add_argument("--max-age-days", type=int, default=MAX_AGE_DAYS)
    parser.add_argument(
        "--old-snapshot",
        choices=("fail", "warn"),
        default="fail",
        help="warn: an old snapshot is reported but does not fail (make test: no newer one can be fetched); "
        "findings and stale exceptions still fail",
    )
    parser.add_argument("locks", nargs="*", type=Path, default=list(DEFAULT_LOCKS))
    args = parser.parse_args(argv)
    snapshot = json.loads(args.snapshot.read_text(encoding="utf-8"))
    locks = {path.name: read_lock(path) for path in args.locks}
    missing = sorted({p for pins in locks.values() for p in pins} - set(snapshot["packages"]))
    if missing:
        print(f"audit: snapshot does not cover {missing}; {REFRESH_HINT}", file=sys.stderr)
        return 1
    findings = find(locks, snapshot["advisories"])
    snapshot_date = dt.datetime.fromisoformat(snapshot["source"]["commit_date"]).date()
    exceptions = load_exceptions(args.exceptions)
    errors = check(findings, exceptions, snapshot_date, dt.date.today(), args.max_age_days)
    accepted = len(findings) - sum(1 for e in errors if " is affected by " in e)
    pins = sum(len(p) for p in locks.values())
    print(f"audit: {pins} pins, {len(findings)} findings, {accepted} accepted exceptions")
    failing = errors
    if args.old_snapshot == "warn":
        failing = [e for e in errors if not e.startswith("advisory snapshot is ")]
        for warning in sorted(set(errors) - set(failing)):
            print(f"audit: WARNING {warning}", file=sys.stderr)
    for error in failing:
        print(f"audit: FAIL {error}", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
