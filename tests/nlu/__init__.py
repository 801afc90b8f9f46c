"""Tests run in both environments (.venv-rasa and .venv-app)."""

from tests.runtime import runs_in

# These load the trained model or the classifier component, which need Rasa.
RUNTIME_OF = {"test_classifier.py": "rasa", "test_eval_gate.py": "rasa", "test_masked_text.py": "rasa"}
RUNTIME = runs_in(__name__, "both", RUNTIME_OF)
