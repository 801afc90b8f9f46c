# Load, faults and bad input (issue 6, item 5): fault drills, payload protection, fuzzing, Locust.
# `make test` runs test-faults (drills + payload protection + a 500-message fuzz smoke run, ~3 min).
# `make fuzz` (10,000 messages) and `make loadtest` (Locust) are separate: slow and CPU-heavy.
.PHONY: test-faults fuzz loadtest redis-server

APP_MYPY_PATHS += \
	$(filter-out %/conftest.py,$(wildcard tests/faults/*.py tests/fuzz/*.py tests/load/*.py))
TEST_STEPS += test-faults

FUZZ_COUNT ?= 10000
FUZZ_SEED ?= 6
LOAD_LEVELS ?= 10,50,100
LOAD_WORKERS ?= 1,2
LOAD_DURATION ?= 40

redis-server: ## Install Debian's redis-server when missing (lock store for the drills and 2-worker runs)
	@command -v redis-server >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; }

test-faults: venvs $(MODEL) redis-server ## Fault drills (actions, PostgreSQL, Redis, API down), payload guard, 500-message fuzz
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/faults tests/fuzz

fuzz: venvs $(MODEL) ## 10,000 random and adversarial messages through socket.io and the adapter path -> results/fuzz.json
	$(APP_PY) -m tests.fuzz.run_fuzz --count $(FUZZ_COUNT) --seed $(FUZZ_SEED) --out results/fuzz.json

loadtest: venvs $(MODEL) redis-server ## Locust at 10/50/100 conversations, 1 and 2 Rasa workers -> results/loadtest.json
	$(APP_PY) -m tests.load.run_loadtest --levels $(LOAD_LEVELS) --workers $(LOAD_WORKERS) --duration $(LOAD_DURATION) --out results/loadtest.json
