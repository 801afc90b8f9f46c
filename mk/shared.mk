# Code both runtimes import (shared/): its tests run in both Python environments.
.PHONY: test-shared

TEST_STEPS += test-shared

test-shared: venvs ## The secret policy and the no-copies check, in both Python environments
	$(RASA_PY) -m pytest -q -p no:cacheprovider tests/shared
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/shared
