"""Everything about channels, on both sides of the runtime line.

``bot/connectors`` and ``bot/nlu`` are loaded by the Rasa process (Python 3.10); the rest of ``bot/`` (the
Telegram and WhatsApp adapters, the staff page, the widget server) runs in the app environment (Python 3.11+)
and talks to Rasa over HTTP only. Code both sides use lives in ``shared/`` (tests/shared/test_runtime_boundary).
"""
