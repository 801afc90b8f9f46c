"""Tests run in both environments (.venv-rasa and .venv-app)."""

from tests.runtime import runs_in

RUNTIME = runs_in(__name__, "both")
