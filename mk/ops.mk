# Operations (issue 6, items 2-4): tracker retention, exposure of the running processes, deployment files and
# the local scale-out test. Included by the main Makefile; uses RASA_PY, APP_PY, RASA_VENV, APP_VENV from there.

OPS_TOOLS := var/tools
APP_MYPY_PATHS += tests/ops/image_contents.py tests/ops/test_image_contents.py
APP_MYPY_PATHS += scripts/deploy_base.py scripts/deploy_test.py tests/ops/test_deploy_test_config.py
APP_MYPY_PATHS += tests/ops/webchat_flood.py tests/ops/test_webchat_limits.py
NGINX_BIN ?= $(CURDIR)/$(OPS_TOOLS)/nginx/usr/sbin/nginx
COMPOSE_SCHEMA ?= $(CURDIR)/$(OPS_TOOLS)/compose_spec.json

TEST_STEPS += test-retention test-exposure test-deploy test-image-contents

.PHONY: test-retention test-exposure test-deploy test-image-contents scale-test retention deploy-tools deploy-test deploy-base

test-retention: $(RASA_VENV)/.stamp redis-server ## Retention job on a throwaway PostgreSQL tracker store written by Rasa's SQLTrackerStore
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/ops/test_retention.py

test-exposure: venvs $(MODEL) ## Loopback-only Rasa/actions, socket Origin allow-list, bound sessions and limits (flood), triage and statistics keys (real processes)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/ops/test_exposure.py tests/ops/test_webchat_sessions.py tests/ops/test_webchat_limits.py

test-deploy: $(APP_VENV)/.stamp deploy-tools ## deploy/: YAML, compose schema, nginx -t, exposure rules of compose, nginx and Helm values; deploy-test's one-host rewrite
	NGINX_BIN=$(NGINX_BIN) COMPOSE_SCHEMA=$(COMPOSE_SCHEMA) $(APP_PY) -m pytest -q -p no:cacheprovider tests/ops/test_deploy.py tests/ops/test_deploy_test_config.py

test-image-contents: $(APP_VENV)/.stamp ## Static: each Dockerfile COPYs every repository module its processes import (ast, no Docker)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/ops/test_image_contents.py

scale-test: venvs $(MODEL) ## Two Rasa + PostgreSQL tracker + Redis lock behind a round-robin proxy (slow; writes results/scale-test.json)
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/ops/test_scale.py

retention: $(RASA_VENV)/.stamp ## Run the tracker retention job once (TRACKER_DB_*, TRACKER_RETENTION_DAYS)
	$(RASA_PY) -m actions.retention

# The image test (issue 12, item 5): slow (2 to 4 minutes with cached images, 13-22 from cold; docs/operations.md),
# needs root and a Docker daemon (started without bridge networking if none runs), so it is not in TEST_STEPS.
deploy-test: $(APP_VENV)/.stamp $(MODEL) ## Build both images on local bases, run the compose stack (host network, loopback), chat via nginx, check the count and the PostgreSQL roles (slow)
	bash scripts/install_docker_tools.sh
	$(APP_PY) -m scripts.deploy_test

deploy-base: ## Make or reuse the local base images of deploy-test (debootstrap + docker import; cached by content hash)
	bash scripts/install_docker_tools.sh
	python3 -m scripts.deploy_base

# Offline checkers for deploy/: Debian's nginx binary (unpacked, never installed or started) and the Compose
# file schema shipped in the docker-compose 1.29.2 wheel from PyPI. Missing tools make test-deploy skip those
# checks with a message, never pass them silently.
deploy-tools: $(NGINX_BIN) $(COMPOSE_SCHEMA) ## Unpack Debian nginx and the Compose file schema into var/tools (offline checkers)

$(NGINX_BIN):
	@mkdir -p $(OPS_TOOLS)/debs $(OPS_TOOLS)/nginx
	@cd $(OPS_TOOLS)/debs && { apt-get download nginx nginx-common >/dev/null 2>&1 || \
	  { echo "deploy-tools: could not download Debian's nginx (test-deploy will skip nginx -t)"; exit 0; }; }
	@for deb in $(OPS_TOOLS)/debs/*.deb; do [ -f "$$deb" ] && dpkg -x "$$deb" $(OPS_TOOLS)/nginx; done; true

$(COMPOSE_SCHEMA):
	@mkdir -p $(OPS_TOOLS)
	@$(APP_PY) -m pip download -q --no-deps docker-compose==1.29.2 -d $(OPS_TOOLS)/wheels >/dev/null 2>&1 || \
	  echo "deploy-tools: could not download the docker-compose wheel (test-deploy will skip the schema check)"
	@$(APP_PY) -c "import glob, zipfile, sys; w = glob.glob('$(OPS_TOOLS)/wheels/docker_compose-*.whl'); \
	  w and open('$@', 'wb').write(zipfile.ZipFile(w[0]).read('compose/config/compose_spec.json'))"
