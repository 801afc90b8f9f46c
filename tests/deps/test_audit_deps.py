"""The dependency-audit matcher: OSV ranges, explicit versions, exceptions, staleness, and the real locks."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts import audit_deps
from scripts.audit_deps import Finding, check, find, is_affected, load_exceptions, read_lock

TODAY = dt.date(2026, 12, 2)


def _range(*events: dict) -> dict:
    return {"ranges": [{"type": "ECOSYSTEM", "events": list(events)}], "versions": []}


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.9", False),
        ("1.0", True),
        ("1.4.2", True),
        ("2.0", False),
        ("2.1", False),
        ("3.0", True),
        ("3.5", True),
    ],
)
def test_introduced_fixed_with_two_ranges(version: str, expected: bool) -> None:
    entry = _range({"introduced": "1.0"}, {"fixed": "2.0"}, {"introduced": "3.0"})
    assert is_affected(version, entry) is expected


@pytest.mark.parametrize(
    ("version", "expected"), [("1.2", True), ("1.3", True), ("1.3.1", False), ("1.0rc1", True)]
)
def test_last_affected_is_inclusive(version: str, expected: bool) -> None:
    assert is_affected(version, _range({"introduced": "0"}, {"last_affected": "1.3"})) is expected


def test_explicit_versions_and_non_ecosystem_ranges() -> None:
    entry = {
        "ranges": [{"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}],
        "versions": ["2.5"],
    }
    assert is_affected("2.5", entry)
    assert not is_affected("2.6", entry)


def test_prerelease_ordering_uses_packaging() -> None:
    entry = _range({"introduced": "0"}, {"fixed": "2.10.0"})
    assert is_affected("2.9.5", entry)  # a string comparison would say 2.9.5 > 2.10.0
    assert is_affected("2.10.0rc1", entry)


ADVISORIES = {
    "demo-pkg": [
        {
            "id": "PYSEC-1",
            "aliases": ["CVE-1"],
            "summary": "bad",
            "affected": [_range({"introduced": "0"}, {"fixed": "2.0"})],
        },
        {"id": "PYSEC-2", "withdrawn": "2024-01-01", "affected": [_range({"introduced": "0"})]},
    ]
}


def test_find_reports_lock_package_and_fix_and_skips_withdrawn() -> None:
    findings = find({"a.lock": {"demo-pkg": "1.5"}, "b.lock": {"demo-pkg": "2.0"}}, ADVISORIES)
    assert findings == [Finding("a.lock", "demo-pkg", "1.5", "PYSEC-1", ("CVE-1",), "bad", ("2.0",))]


def _exception(advisory_id: str = "CVE-1", review_by: str = "2027-06-01") -> dict:
    return {"id": advisory_id, "package": "Demo_Pkg", "reason": "CLI-only path", "review_by": review_by}


def test_check_fails_on_unexcepted_finding_and_passes_with_exception_by_alias() -> None:
    findings = find({"a.lock": {"demo-pkg": "1.5"}}, ADVISORIES)
    errors = check(findings, [], TODAY, TODAY, 90)
    assert (
        len(errors) == 1
        and "demo-pkg==1.5 is affected by PYSEC-1" in errors[0]
        and "fixed in: 2.0" in errors[0]
    )
    assert check(findings, [_exception()], TODAY, TODAY, 90) == []


def test_check_fails_on_stale_and_overdue_exceptions() -> None:
    stale = check([], [_exception()], TODAY, TODAY, 90)
    assert len(stale) == 1 and stale[0].startswith("stale exception CVE-1")
    findings = find({"a.lock": {"demo-pkg": "1.5"}}, ADVISORIES)
    overdue = check(findings, [_exception(review_by="2026-12-01")], TODAY, TODAY, 90)
    assert len(overdue) == 1 and "review date" in overdue[0]


def test_check_fails_on_old_snapshot() -> None:
    assert check([], [], TODAY - dt.timedelta(days=90), TODAY, 90) == []
    errors = check([], [], TODAY - dt.timedelta(days=91), TODAY, 90)
    assert len(errors) == 1 and "91 days old" in errors[0] and "scripts.refresh_advisories" in errors[0]


def test_exceptions_need_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yml"
    path.write_text(yaml.safe_dump([{"id": "CVE-1", "package": "x", "review_by": "2027-01-01"}]))
    with pytest.raises(ValueError, match="reason"):
        load_exceptions(path)


def test_read_lock_normalizes_names(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    path.write_text("# comment\nruamel.yaml==0.17.21\nJinja2==3.1.6  # pinned\n")
    assert read_lock(path) == {"ruamel-yaml": "0.17.21", "jinja2": "3.1.6"}


def _audit_args(tmp_path: Path, version: str, age_days: int) -> list[str]:
    lock = tmp_path / "x.lock"
    lock.write_text(f"Demo.Pkg=={version}\n")
    snapshot = tmp_path / "snapshot.json"
    commit_date = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=age_days)
    source = {"repository": "r", "commit": "c", "commit_date": commit_date.isoformat()}
    snapshot.write_text(json.dumps({"source": source, "packages": ["demo-pkg"], "advisories": ADVISORIES}))
    return ["--snapshot", str(snapshot), "--exceptions", str(tmp_path / "none.yml"), str(lock)]


def test_main_fails_on_finding_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_deps.main(_audit_args(tmp_path, "1.5", 0)) == 1
    assert "demo-pkg==1.5 is affected by PYSEC-1" in capsys.readouterr().err


def test_make_test_mode_warns_on_an_old_snapshot_but_still_fails_on_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = "2.5"  # past the fix of the one live advisory in ADVISORIES
    assert audit_deps.main(_audit_args(tmp_path, clean, 400)) == 1  # the release check refuses old data
    assert audit_deps.main([*_audit_args(tmp_path, clean, 400), "--old-snapshot", "warn"]) == 0
    assert "audit: WARNING advisory snapshot is 400 days old" in capsys.readouterr().err
    assert audit_deps.main([*_audit_args(tmp_path, "1.5", 400), "--old-snapshot", "warn"]) == 1
    assert "audit: FAIL demo-pkg==1.5 is affected by PYSEC-1" in capsys.readouterr().err.replace("x.lock: ", "")


def test_snapshot_covers_every_pin_of_both_real_locks() -> None:
    snapshot = json.loads(audit_deps.DEFAULT_SNAPSHOT.read_text(encoding="utf-8"))
    pins = {name for lock in audit_deps.DEFAULT_LOCKS for name in read_lock(lock)}
    assert pins <= set(snapshot["packages"]), "lock changed: python -m scripts.refresh_advisories"
    assert snapshot["source"]["commit"] and snapshot["source"]["repository"]


def test_script_runs_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.audit_deps", "--max-age-days", "100000"],
        cwd=audit_deps.ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(audit_deps.ROOT)},
    )
    assert "pins," in result.stdout, result.stderr
