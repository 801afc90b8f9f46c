"""Rebuild quality/advisories.json from a fetched pypa/advisory-database git directory.

The audit (scripts/audit_deps.py) must run offline: PyPI's JSON API and api.osv.dev are not reachable
from here or from CI. So we commit a small snapshot holding only the advisories of the packages pinned
in requirements/*.lock, with the fields the matcher needs. The checkout has no work tree, so the files
are read with `git ls-tree` / `git show`.

Usage: python -m scripts.refresh_advisories /path/to/advisory-database.git [--out quality/advisories.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml

from scripts.audit_deps import DEFAULT_LOCKS, DEFAULT_SNAPSHOT, is_affected, normalize, read_lock

SOURCE_REPOSITORY = "https://github.com/pypa/advisory-database"
KEPT_FIELDS = ("id", "aliases", "summary", "severity", "withdrawn")


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True, text=True
    ).stdout


def _slim(record: dict, package: str) -> dict:
    """Keep the matching fields and only the affected entries of this PyPI package."""
    slim = {key: record[key] for key in KEPT_FIELDS if record.get(key)}
    if "summary" not in slim and record.get("details"):
        slim["summary"] = " ".join(str(record["details"]).split())[:300]
    slim["affected"] = []
    for entry in record.get("affected", []):
        if normalize(entry.get("package", {}).get("name", "")) != package:
            continue
        if entry.get("package", {}).get("ecosystem") != "PyPI":
            continue
        ranges = [r for r in entry.get("ranges", []) if r.get("type") == "ECOSYSTEM"]
        # OSV lists every affected release as well; keep only those the ranges do not already cover,
        # which keeps the snapshot small without changing what matches.
        extra = [str(v) for v in entry.get("versions", []) if not is_affected(str(v), {"ranges": ranges})]
        slim["affected"].append({"ranges": ranges, "versions": extra})
    return slim


def build_snapshot(git_dir: Path, packages: set[str]) -> dict:
    """Return the snapshot document for these normalized package names."""
    commit, date = _git(git_dir, "log", "-1", "--format=%H %cI", "HEAD").split()
    advisories: dict[str, list[dict]] = {}
    for path in _git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "vulns/").splitlines():
        parts = path.split("/")
        if len(parts) != 3 or not path.endswith((".yaml", ".yml")) or normalize(parts[1]) not in packages:
            continue
        package = normalize(parts[1])
        record = yaml.safe_load(_git(git_dir, "show", f"HEAD:{path}"))
        advisories.setdefault(package, []).append(_slim(record, package))
    for records in advisories.values():
        records.sort(key=lambda r: r["id"])
    return {
        "source": {"repository": SOURCE_REPOSITORY, "commit": commit, "commit_date": date},
        "packages": sorted(packages),
        "advisories": dict(sorted(advisories.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", type=Path, help="git directory of a pypa/advisory-database clone")
    parser.add_argument("--out", type=Path, default=DEFAULT_SNAPSHOT)
    args = parser.parse_args()
    packages = {normalize(name) for lock in DEFAULT_LOCKS for name in read_lock(lock)}
    snapshot = build_snapshot(args.git_dir, packages)
    args.out.write_text(json.dumps(snapshot, indent=1) + "\n", encoding="utf-8")
    count = sum(len(v) for v in snapshot["advisories"].values())
    print(f"wrote {args.out}: {count} advisories for {len(snapshot['advisories'])} of {len(packages)} packages")


if __name__ == "__main__":
    main()
