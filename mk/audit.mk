# Dependency audit (offline): every pin of both lock files against the committed OSV snapshot
# quality/advisories.json; exceptions in quality/audit-exceptions.yml. See docs/operations.md, "Dependency audit".
# `make test` runs the matcher's tests only: the newest snapshot reachable here is too old for the audit itself
# to pass (it refuses data older than 90 days), and a gate that always fails or hides the age would mean nothing.
TEST_STEPS += test-audit-tool
APP_MYPY_PATHS += scripts/audit_deps.py scripts/refresh_advisories.py

.PHONY: audit test-audit-tool

test-audit-tool: $(APP_VENV)/.stamp ## Tests of the dependency-audit matcher (ranges, exceptions, snapshot age)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/deps

audit: test-audit-tool ## Dependency audit of both lock files against the advisory snapshot (fails on findings, stale exceptions, old snapshot)
	$(APP_PY) -m scripts.audit_deps
