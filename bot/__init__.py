"""Everything about channels: the Telegram and WhatsApp adapter processes and the shared edge code.

The adapters run in the app environment (Python 3.11+) and talk to Rasa over HTTP only;
``bot/connectors`` holds the Rasa-side channel classes and is loaded by the Rasa process instead.
"""
