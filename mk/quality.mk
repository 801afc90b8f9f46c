# Content quality and NLU evaluation: readability gate, topic consistency, held-out leak test,
# held-out evaluation gate, and `make eval`. (`make content-report` lives in mk/core.mk and runs
# scripts/content_report.py, which is part of this area.)
TEST_STEPS += test-content test-eval-gate
APP_MYPY_PATHS += quality scripts/calibrate_two_questions.py

.PHONY: test-content test-eval-gate eval calibrate-two-questions

test-content: venvs ## Readability, topic consistency and held-out leak tests (app env; leak test in both)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/content tests/nlu/test_heldout_leak.py tests/nlu/test_eval_metrics.py \
		tests/nlu/test_two_questions_calibration.py
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/nlu/test_heldout_leak.py tests/nlu/test_eval_metrics.py \
		tests/nlu/test_two_questions_calibration.py tests/nlu/test_classifier.py tests/nlu/test_first_part.py \
		tests/nlu/test_second_part.py

test-eval-gate: venvs $(MODEL) ## NLU gate on the trained model: team set top-1 >= 0.90, blind set no regression, calibrated threshold, masked names and addresses
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/nlu/test_eval_gate.py tests/nlu/test_masked_text.py

eval: venvs $(SPACY_NL) ## Held-out NLU report (reuses the trained model if current); writes results/eval.json
	$(RASA_PY) -m scripts.eval_nlu --out results/eval.json

calibrate-two-questions: venvs $(MODEL) ## Sweep the two-questions threshold on the trained model -> results/two-questions.json
	$(RASA_PY) -m scripts.calibrate_two_questions $(MODEL) --out results/two-questions.json
