"""Rasa custom channels, loaded inside the Rasa process (Python 3.10): staff triage and the web chat socket."""
