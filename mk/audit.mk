# Dependency audit (offline): every pin of both lock files against the committed OSV snapshot
# quality/advisories.json; exceptions in quality/audit-exceptions.yml. See docs/operations.md, "Dependency audit".
TEST_STEPS += audit
APP_MYPY_PATHS += scripts/audit_deps.py scripts/refresh_advisories.py

.PHONY: audit

audit: $(APP_VENV)/.stamp ## Dependency audit of both lock files against the advisory snapshot (fails on findings, stale exceptions, old snapshot)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/deps
	$(APP_PY) scripts/audit_deps.py
