# NLU data hygiene (helper A): no training example in two intents, no held-out message in the
# training data. Cheap (pure YAML, no model), so it runs in every `make test`.
.PHONY: check-nlu-overlap

check-nlu-overlap: ## Check NLU data for cross-intent duplicates and held-out leaks
	$(APP_PY) -m scripts.check_nlu_overlap

TEST_STEPS += check-nlu-overlap
