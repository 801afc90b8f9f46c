# Wegwijzer. Newcomers need two targets: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
-include .env

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
API_CONTENT_KEY ?= dev-content-key-change-me
CONTENT_OVERLAY_URL ?= $(API_URL)/api/v1/content/overlay
CONTENT_OVERLAY_KEY ?= dev-ingest-key-change-me
WEBCHAT_PORT ?= 8080
STAFF_PORT ?= 8090
STAFF_PAGE_KEY ?= dev-staff-page-change-me
STAFF_EDITOR_KEY ?= dev-staff-editor-change-me
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

# Area makefiles add their own test and bench steps and type-check paths to these lists (not exported: a sub-make
# would otherwise inherit them and append every entry a second time).
TEST_STEPS :=
BENCH_STEPS :=
APP_MYPY_PATHS := shared
-include mk/*.mk

# Processes see only the settings they read: the names .env.example lists (one source), plus the checkers' tool
# paths (mk/ops.mk). Make's own variables (test lists, bench sizes, paths) stay inside make. After the defaults:
# `export` of a name not yet set would make the `?=` lines above see it as set. Unset names stay unset (not empty).
RUNTIME_VARIABLES := $(shell sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' .env.example) NGINX_BIN COMPOSE_SCHEMA
export $(foreach name,$(RUNTIME_VARIABLES),$(if $(filter undefined,$(origin $(name))),,$(name)))

.PHONY: help run test venvs spacy-nl train bench content-report lint typecheck clean clean-data

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
	$(RASA_PY) -m scripts.build_spacy_nl build/spacy_nl

spacy-nl: $(SPACY_NL) ## Build the local Dutch spaCy pipeline (blank nl + lookup lemmatizer)

$(MODEL): $(TRAINING_INPUTS) | $(RASA_VENV)/.stamp
	$(RASA) train --fixed-model-name wegwijzer --out models --quiet
	@touch $@

train: $(MODEL) ## Train the Rasa model when data, domain or config changed

run: venvs $(MODEL) ## Set up what is missing, train if needed, start every process
	@$(APP_PY) -m scripts.procfile Procfile.dev var/Procfile
	@$(APP_VENV)/bin/honcho start -f var/Procfile -d .

test: venvs $(MODEL) ## Run every check: lint, types, unit, content, dialogue and HTTP tests
	@set -e; all=$$(date +%s); for step in lint typecheck $(TEST_STEPS); do echo "== make $$step"; \
	  start=$$(date +%s); $(MAKE) --no-print-directory $$step; echo "== make $$step: $$(( $$(date +%s) - start )) s"; done; \
	  echo "make test: all steps passed in $$(( $$(date +%s) - all )) s"

bench: venvs $(MODEL) ## Measure speed and memory on the running stack; writes results/bench-*.json
	@set -e; for step in $(BENCH_STEPS); do echo "== make $$step"; $(MAKE) --no-print-directory $$step; done

lint: $(APP_VENV)/.stamp ## ruff
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .

typecheck: venvs ## mypy in both environments
	$(RASA_PY) -m mypy knowledge shared actions bot/connectors bot/nlu
	$(APP_PY) -m mypy --python-version 3.11 $(APP_MYPY_PATHS)

clean: ## Remove build artefacts (keeps the environments and the data in var/)
	rm -rf build models results .pytest_cache .mypy_cache .ruff_cache

# var/ holds the outbox's undelivered rows and the development database: deleting it loses reach figures.
clean-data: ## Delete var/ (undelivered outbox rows, development database, unpacked tools); needs CONFIRM=yes
	@if [ "$(CONFIRM)" != yes ]; then \
	  echo "make clean-data deletes var/: undelivered outbox rows (never reach the API), the development database"; \
	  echo "and the unpacked checker tools. Run 'make clean-data CONFIRM=yes' to delete them."; exit 1; fi
	rm -rf var

serve-test-stack: venvs $(MODEL) ## Start Rasa + actions (+ API) on free ports for tests; prints URLs as JSON
	@$(APP_PY) -m scripts.stack serve --with-api
