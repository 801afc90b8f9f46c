"""Tests run in .venv-app."""

from tests.runtime import runs_in

RUNTIME = runs_in(__name__, "app")
