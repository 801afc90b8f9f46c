# The bot itself: content, actions, connectors, dialogue and HTTP tests; content report; Rasa benchmark.
TEST_STEPS += test-knowledge test-actions validate test-stories test-http
BENCH_STEPS += bench-rasa

.PHONY: test-knowledge test-actions validate test-stories test-http content-report bench-rasa

test-knowledge: venvs ## Content loader, schedules and places, in both Python environments
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/knowledge
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/knowledge

test-actions: venvs ## Custom actions and Rasa connectors against the real domain and content
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/actions tests/connectors

validate: $(RASA_VENV)/.stamp ## rasa data validate --fail-on-warnings
	$(RASA) data validate --fail-on-warnings --quiet

test-stories: $(MODEL) ## Dialogue test stories against the trained model
	$(RASA) test core --model $(MODEL) --stories tests/rasa --fail-on-prediction-errors --out results/core --quiet

test-http: venvs $(MODEL) ## REST webhook and triage endpoint against the real running Rasa server
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/http

content-report: venvs ## List unverified facts and reviews older than 12 months
	$(APP_PY) -m scripts.content_report

bench-rasa: venvs $(MODEL) ## Training time, start-up, memory, REST latency and throughput
	$(APP_PY) -m scripts.bench_rasa --out results/bench-rasa.json

TEST_STEPS += test-e2e
test-e2e: venvs $(MODEL) ## Chat over REST -> outbox -> relay -> API statistics, with real processes
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/e2e
