import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import AdapterSettings, SettingsError, TelegramSettings, WhatsAppSettings

REPO = Path(__file__).resolve().parents[2]


def test_pseudonym_key_is_required_outside_development() -> None:
    with pytest.raises(SettingsError, match="ADAPTER_PSEUDONYM_KEY"):
        AdapterSettings(pseudonym_key=None, APP_ENV="production").pseudonym_key_bytes()


@pytest.mark.parametrize("value", ["changethis", "short"])
def test_placeholder_or_short_key_is_refused(value: str) -> None:
    with pytest.raises(SettingsError):
        AdapterSettings(pseudonym_key=value, APP_ENV="production").pseudonym_key_bytes()


def test_development_gets_a_random_throwaway_key() -> None:
    settings = AdapterSettings(pseudonym_key=None, APP_ENV="development")
    first, throwaway = settings.pseudonym_key_bytes()
    second, _ = settings.pseudonym_key_bytes()
    assert throwaway is True and len(first) == 32 and first != second


def test_configured_key_is_used() -> None:
    key, throwaway = AdapterSettings(pseudonym_key="x" * 40).pseudonym_key_bytes()
    assert (key, throwaway) == (b"x" * 40, False)


def test_telegram_webhook_mode_needs_https_url_and_valid_secret() -> None:
    settings = TelegramSettings(bot_token="1:abc", mode="webhook", webhook_secret="has space")
    problems = " ".join(settings.problems(development=False))
    assert "TELEGRAM_WEBHOOK_URL" in problems and "TELEGRAM_WEBHOOK_SECRET" in problems
    ok = TelegramSettings(
        bot_token="1:abc",
        mode="webhook",
        webhook_url="https://bot.example.org/telegram/hook",
        webhook_secret="Abc_123-xyz",
    )
    assert ok.problems(development=False) == []
    assert ok.webhook_path == "/telegram/hook"


def test_whatsapp_names_every_missing_variable() -> None:
    problems = " ".join(WhatsAppSettings(access_token="t").problems(development=True))
    for name in (
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
        "WHATSAPP_API_VERSION",
    ):
        assert name in problems


def test_whatsapp_placeholder_app_secret_is_refused_even_in_development() -> None:
    settings = WhatsAppSettings(
        app_secret="changethis",
        verify_token="v",
        access_token="t",
        phone_number_id="123",
        api_version="v99.0",
    )
    assert settings.problems(development=True) == ["WHATSAPP_APP_SECRET is a placeholder"]


def _run(module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "TELEGRAM_", "ADAPTER_", "APP_ENV"))
    }
    clean.update(env)
    clean["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )


def test_whatsapp_refuses_to_start_without_app_secret() -> None:
    result = _run(
        "bot.whatsapp",
        {
            "WHATSAPP_VERIFY_TOKEN": "v",
            "WHATSAPP_ACCESS_TOKEN": "t",
            "WHATSAPP_PHONE_NUMBER_ID": "123",
            "WHATSAPP_API_VERSION": "v99.0",
            "ADAPTER_PSEUDONYM_KEY": "k" * 32,
        },
    )
    assert result.returncode == 2
    assert "WHATSAPP_APP_SECRET is not set" in result.stderr


def test_telegram_refuses_to_start_without_pseudonym_key() -> None:
    result = _run("bot.telegram", {"TELEGRAM_BOT_TOKEN": "1:abc", "APP_ENV": "production"})
    assert result.returncode == 2
    assert "ADAPTER_PSEUDONYM_KEY" in result.stderr


def test_if_configured_skips_quietly_without_token() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_",))}
    clean["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.telegram", "--if-configured"],
        env=clean,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "telegram adapter: skipped" in line
        assert process.poll() is None  # idles so honcho keeps the other processes up
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
