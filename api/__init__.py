"""Wegwijzer reach-measurement API: counts-only events in, small-count-protected statistics out.

Runs in the Python 3.11+ app environment. Nothing here is imported by Rasa or the actions; the bot
side talks to it over HTTP only (see actions/outbox_relay.py).
"""
