"""Tests run in .venv-app."""

from tests.runtime import runs_in

# The retention drill and the scale test start Rasa's own tracker stores, so they need Rasa's interpreter.
RUNTIME_OF = {"test_retention.py": "rasa", "test_scale.py": "rasa"}
RUNTIME = runs_in(__name__, "app", RUNTIME_OF)
