# Telegram and WhatsApp adapters (bot/telegram, bot/whatsapp): tests and type checks.
.PHONY: test-adapters

APP_MYPY_PATHS += bot/__init__.py bot/adapter_process.py bot/request_body.py bot/rasa_client.py bot/pseudonym.py bot/dedupe.py \
	bot/settings.py bot/logging.py bot/telegram bot/whatsapp
TEST_STEPS += test-adapters

test-adapters: $(APP_VENV)/.stamp ## Adapter tests: fake Rasa, Bot API and Graph API on loopback
	$(APP_PY) -m pytest tests/bot -q
