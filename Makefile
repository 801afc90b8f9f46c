# Wegwijzer. Newcomers need two targets: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
-include .env
.EXPORT_ALL_VARIABLES:

# Embedded defaults (see .env.example); a .env file or the environment overrides them.
APP_ENV ?= development
RASA_HOST ?= 127.0.0.1
RASA_PORT ?= 5005
RASA_URL ?= http://127.0.0.1:5005
ACTION_SERVER_HOST ?= 127.0.0.1
ACTION_SERVER_PORT ?= 5055
ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
TRIAGE_STAFF_KEY ?= dev-staff-key-change-me
WEBCHAT_ALLOWED_ORIGINS ?= http://localhost:8080,http://127.0.0.1:8080
# WEBCHAT_SESSION_KEY has no default: in development Rasa makes a random key at each start (.env.example).
OUTBOX_PATH ?= var/outbox.sqlite3
API_HOST ?= 127.0.0.1
API_PORT ?= 8000
API_URL ?= http://127.0.0.1:8000
API_DATABASE_URL ?= sqlite:///var/api.sqlite3
API_INGEST_KEY ?= dev-ingest-key-change-me
API_READ_KEY ?= dev-read-key-change-me
WEBCHAT_PORT ?= 8080
STAFF_PORT ?= 8090
STAFF_PAGE_KEY ?= dev-staff-page-change-me
ADAPTER_PSEUDONYM_KEY ?= dev-pseudonym-key-change-me
WHATSAPP_PORT ?= 8081

RASA_TELEMETRY_ENABLED := false
RASA_VENV := .venv-rasa
APP_VENV := .venv-app
RASA_PY := $(RASA_VENV)/bin/python
APP_PY := $(APP_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
MODEL := models/wegwijzer.tar.gz
SPACY_NL := build/spacy_nl/meta.json
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(SPACY_NL)

# Area makefiles add their own test and bench steps and type-check paths to these lists. They are not exported:
# a sub-make would otherwise inherit them and append every entry a second time.
TEST_STEPS :=
BENCH_STEPS :=
APP_MYPY_PATHS := shared
unexport TEST_STEPS BENCH_STEPS APP_MYPY_PATHS
-include mk/*.mk

.PHONY: help run test venvs spacy-nl train bench content-report lint typecheck clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  %-16s %s\n", $$1, $$2}'

$(RASA_VENV)/.stamp: requirements/rasa.lock pyproject.toml
	@py=$$(scripts/find_python.sh 3.10) && echo "Rasa environment: $$py" && \
	  { [ -x $(RASA_PY) ] || $$py -m venv $(RASA_VENV); } && \
	  $(RASA_PY) -m pip install -q --upgrade pip 'setuptools<70' wheel && \
	  $(RASA_PY) -m pip install -q -r requirements/rasa.lock && \
	  $(RASA_PY) -m pip install -q --no-deps -e . && touch $@

$(APP_VENV)/.stamp: requirements/app.lock pyproject.toml
	@py=$$(scripts/find_python.sh 3.11+) && echo "App environment: $$py" && \
	  { [ -x $(APP_PY) ] || $$py -m venv $(APP_VENV); } && \
	  $(APP_PY) -m pip install -q -r requirements/app.lock && \
	  $(APP_PY) -m pip install -q --no-deps -e . && touch $@

venvs: $(RASA_VENV)/.stamp $(APP_VENV)/.stamp ## Create or update both Python environments

# The environments are order-only prerequisites: a reinstall must not rebuild the pipeline or retrain the model.
$(SPACY_NL): scripts/build_spacy_nl.py | $(RASA_VENV)/.stamp
	$(RASA_PY) scripts/build_spacy_nl.py build/spacy_nl

spacy-nl: $(SPACY_NL) ## Build the local Dutch spaCy pipeline (blank nl + lookup lemmatizer)

$(MODEL): $(TRAINING_INPUTS) | $(RASA_VENV)/.stamp
	$(RASA) train --fixed-model-name wegwijzer --out models --quiet
	@touch $@

train: $(MODEL) ## Train the Rasa model when data, domain or config changed

run: venvs $(MODEL) ## Set up what is missing, train if needed, start every process
	@$(APP_PY) scripts/procfile.py Procfile.dev var/Procfile
	@$(APP_VENV)/bin/honcho start -f var/Procfile -d .

test: venvs $(MODEL) ## Run every check: lint, types, unit, content, dialogue and HTTP tests
	@set -e; for step in lint typecheck $(TEST_STEPS); do echo "== make $$step"; $(MAKE) --no-print-directory $$step; done
	@echo "make test: all steps passed"

bench: venvs $(MODEL) ## Measure speed and memory on the running stack; writes results/bench-*.json
	@set -e; for step in $(BENCH_STEPS); do echo "== make $$step"; $(MAKE) --no-print-directory $$step; done

lint: $(APP_VENV)/.stamp ## ruff
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .

typecheck: venvs ## mypy in both environments
	$(RASA_PY) -m mypy knowledge shared actions bot/connectors bot/nlu
	$(APP_PY) -m mypy --python-version 3.11 $(APP_MYPY_PATHS)

clean: ## Remove build artefacts (keeps the environments)
	rm -rf build models results var .pytest_cache .mypy_cache .ruff_cache

serve-test-stack: venvs $(MODEL) ## Start Rasa + actions (+ API) on free ports for tests; prints URLs as JSON
	@$(APP_PY) scripts/stack.py serve --with-api
