"""Tests run in .venv-rasa."""

from tests.runtime import runs_in

RUNTIME = runs_in(__name__, "rasa")
