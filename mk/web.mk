# Web chat widget (bot/webchat) and staff triage page (bot/staff): bundle, browser tests, socket.io bench.
.PHONY: webchat-build webchat-check test-web bench-socketio

APP_MYPY_PATHS += bot/webchat bot/staff tests/web
TEST_STEPS += test-web
BENCH_STEPS += bench-socketio

WEBCHAT_DIR := bot/webchat

$(WEBCHAT_DIR)/node_modules/.package-lock.json: $(WEBCHAT_DIR)/package-lock.json
	cd $(WEBCHAT_DIR) && npm ci --no-audit --no-fund --loglevel=error

webchat-build: $(WEBCHAT_DIR)/node_modules/.package-lock.json $(APP_VENV)/.stamp ## Bundle socket.io-client + widget into bot/webchat/static (commit the result)
	$(APP_PY) -m bot.webchat.build

webchat-check: $(WEBCHAT_DIR)/node_modules/.package-lock.json $(APP_VENV)/.stamp ## Fail if the committed widget bundle is out of date
	$(APP_PY) -m bot.webchat.build --check

test-web: webchat-check ## Widget and staff page in headless Chromium against the real stack (axe-core included)
	@[ -x /usr/bin/chromium ] || bash scripts/install_chromium.sh
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/web

bench-socketio: $(APP_VENV)/.stamp $(MODEL) ## socket.io latency p50/p95 at 10 and 50 clients -> results/bench-socketio.json
	$(APP_PY) -m tests.web.bench_socketio --levels 10,50 --out results/bench-socketio.json
