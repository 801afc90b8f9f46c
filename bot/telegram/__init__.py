"""Telegram adapter: a python-telegram-bot 22 application forwarding to Rasa's REST channel."""
