# "Is dit bericht echt?": the checker's unit tests run in test-knowledge (both environments); this step gates
# it on the development corpus. eval-message-check prints per-part figures (docs/message-check.md).
TEST_STEPS += test-message-check
APP_MYPY_PATHS += scripts/eval_message_check.py tests/message_check

.PHONY: test-message-check eval-message-check

test-message-check: venvs ## Message check: gate on the development scam corpora (dev, team) (recall, genuine never called a scam)
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/message_check

eval-message-check: venvs ## Message check figures per corpus part -> docs/results/message-check.json
	$(APP_PY) -m scripts.eval_message_check --parts $(or $(PARTS),dev) --out docs/results/message-check.json
