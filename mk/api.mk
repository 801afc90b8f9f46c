# Reach-measurement API (issue 4), the bot-side outbox and its relay: tests and the benchmark.
# Included by the main Makefile; uses RASA_PY, APP_PY, RASA_VENV, APP_VENV from there.

BENCH_API_EVENTS ?= 1000000
BENCH_API_BACKENDS ?= sqlite,postgresql

APP_MYPY_PATHS += api
TEST_STEPS += test-api test-outbox
BENCH_STEPS += bench-api

.PHONY: test-api test-outbox bench-api api-db-upgrade

test-api: $(APP_VENV)/.stamp ## API tests on SQLite and a throwaway PostgreSQL, schemathesis, suppression
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/api

test-outbox: $(RASA_VENV)/.stamp ## Outbox and relay tests with real API + relay processes (fault drill)
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/outbox

bench-api: $(APP_VENV)/.stamp ## Ingest events/s and statistics p95 at 1M events, SQLite and PostgreSQL
	$(APP_PY) -m scripts.bench_api --events $(BENCH_API_EVENTS) --backends $(BENCH_API_BACKENDS) --out results/bench-api.json

api-db-upgrade: $(APP_VENV)/.stamp ## Migrate the API database (API_DATABASE_URL) to the latest revision
	$(APP_PY) -m api db upgrade
