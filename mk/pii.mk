# Personal-data masking (knowledge/pii.py): unit, property and corpus tests, and the corpus report.
# knowledge/ must work on both Pythons, so the unit tests run in both environments.

APP_MYPY_PATHS += knowledge/pii.py knowledge/pii_names.py scripts/pii_report.py scripts/pii_bench.py
TEST_STEPS += test-pii

.PHONY: test-pii pii-report

test-pii: $(APP_VENV)/.stamp $(RASA_VENV)/.stamp ## PII masking: unit + hypothesis tests (both envs), corpus tests
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/knowledge/test_pii.py tests/pii
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/knowledge/test_pii.py

pii-report: $(APP_VENV)/.stamp ## Precision and recall of PII masking on tests/pii/corpus.yml, both BSN rules
	$(APP_PY) -m scripts.pii_report

.PHONY: pii-bench
pii-bench: $(APP_VENV)/.stamp ## Time per message of PII masking on the corpus (benchmark, not a test)
	$(APP_PY) -m scripts.pii_bench --repeat 15
