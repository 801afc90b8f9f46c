# Dependency audit (offline): every pin of both lock files against the committed OSV snapshot
# quality/advisories.json; exceptions in quality/audit-exceptions.yml. See docs/operations.md, "Dependency audit".
# `make test` runs the matcher's tests and the audit itself (test-audit): any known vulnerability in the committed
# snapshot that is not an accepted exception fails it. The snapshot's age is printed as a WARNING there, because
# the newest snapshot reachable here is older than the 90-day limit; `make audit` (the release check) fails on it.
TEST_STEPS += test-audit-tool test-audit
APP_MYPY_PATHS += scripts/audit_deps.py scripts/refresh_advisories.py

.PHONY: audit test-audit test-audit-tool

test-audit-tool: $(APP_VENV)/.stamp ## Tests of the dependency-audit matcher (ranges, exceptions, snapshot age)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/deps

audit: test-audit-tool ## Dependency audit of both lock files against the advisory snapshot (fails on findings, stale exceptions, old snapshot)
	$(APP_PY) -m scripts.audit_deps

test-audit: test-audit-tool ## Dependency audit in make test: fails on findings and stale exceptions, warns on an old snapshot
	$(APP_PY) -m scripts.audit_deps --old-snapshot warn
