import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import AdapterSettings, SettingsError, TelegramSettings, WhatsAppSettings

REPO = Path(__file__).resolve().parents[2]
REAL_TOKEN = "123456789:" + secrets.token_urlsafe(26)  # the shape of a Bot API token


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
    configured = secrets.token_hex(20)  # "x" * 40 before the secret policy, which refuses it as a placeholder
    key, throwaway = AdapterSettings(pseudonym_key=configured).pseudonym_key_bytes()
    assert (key, throwaway) == (configured.encode(), False)


def test_telegram_webhook_mode_needs_https_url_and_valid_secret() -> None:
    settings = TelegramSettings(bot_token="1:abc", mode="webhook", webhook_secret="has space")
    problems = " ".join(settings.problems(development=False))
    assert "TELEGRAM_WEBHOOK_URL" in problems and "TELEGRAM_WEBHOOK_SECRET" in problems
    ok = TelegramSettings(  # a token and secret of real length: the policy refuses "1:abc" and 11 characters
        bot_token=REAL_TOKEN,
        mode="webhook",
        webhook_url="https://bot.example.org/telegram/hook",
        webhook_secret="Abc_123-xyz_" + secrets.token_urlsafe(16),
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
    assert settings.problems(development=True) == ["WHATSAPP_APP_SECRET refused (placeholder)"]


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
    assert "WHATSAPP_APP_SECRET missing" in result.stderr


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


# --- one secret policy (shared/secret_policy.py) --------------------------------------------------------

MAKEFILE_PSEUDONYM_KEY = "dev-pseudonym-key-change-me"  # the Makefile's development default


def test_pseudonym_placeholder_is_refused_in_production() -> None:
    # Accepted before: a guessable key makes WhatsApp pseudonyms reversible to phone numbers.
    with pytest.raises(SettingsError, match=r"ADAPTER_PSEUDONYM_KEY refused \(placeholder\)"):
        AdapterSettings(pseudonym_key=MAKEFILE_PSEUDONYM_KEY, APP_ENV="production").pseudonym_key_bytes()
    assert AdapterSettings(pseudonym_key=MAKEFILE_PSEUDONYM_KEY, APP_ENV="production").problems() != []


def test_development_uses_the_makefile_pseudonym_key_and_says_it_is_tolerated() -> None:
    settings = AdapterSettings(pseudonym_key=MAKEFILE_PSEUDONYM_KEY, APP_ENV="development")
    assert settings.pseudonym_key_bytes() == (MAKEFILE_PSEUDONYM_KEY.encode(), False)
    assert settings.problems() == []
    assert settings.pseudonym_check().describe() == "ADAPTER_PSEUDONYM_KEY tolerated (placeholder, development)"


def test_a_random_pseudonym_key_is_used_in_production() -> None:
    key = secrets.token_hex(32)
    settings = AdapterSettings(pseudonym_key=key, APP_ENV="production")
    assert settings.pseudonym_key_bytes() == (key.encode(), False)
    assert settings.pseudonym_check().describe() == "ADAPTER_PSEUDONYM_KEY ok"


def webhook_settings(secret: str, token: str = REAL_TOKEN) -> TelegramSettings:
    return TelegramSettings(
        bot_token=token, mode="webhook", webhook_url="https://bot.example.org/hook", webhook_secret=secret
    )


@pytest.mark.parametrize("development", [False, True])
@pytest.mark.parametrize("secret", ["a", "Abc_123-xyz", "changeme-changeme-changeme"])
def test_short_or_placeholder_telegram_webhook_secret_is_refused(secret: str, development: bool) -> None:
    # The webhook faces the internet in development too (a tunnel), so it is checked in full there.
    problems = webhook_settings(secret).problems(development=development)
    assert any(p.startswith("TELEGRAM_WEBHOOK_SECRET refused") for p in problems), problems


def test_random_telegram_values_pass() -> None:
    settings = webhook_settings(secrets.token_urlsafe(32))
    assert settings.problems(development=False) == []
    checks = [check.describe() for check in settings.secret_checks(development=False)]
    assert checks == ["TELEGRAM_BOT_TOKEN ok", "TELEGRAM_WEBHOOK_SECRET ok"]


def test_placeholder_bot_token_is_refused_outside_development_only() -> None:
    settings = TelegramSettings(bot_token="changeme")
    assert settings.problems(development=False) == ["TELEGRAM_BOT_TOKEN refused (placeholder)"]
    assert settings.problems(development=True) == []


def test_short_whatsapp_tokens_are_refused_outside_development() -> None:
    settings = WhatsAppSettings(
        app_secret=secrets.token_hex(16),
        verify_token="v",
        access_token="t",
        phone_number_id="123",
        api_version="v99.0",
    )
    problems = settings.problems(development=False)
    assert [p.split(" ")[0] for p in problems] == ["WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN"]
    assert settings.problems(development=True) == []


def _combined(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def test_telegram_start_up_line_names_the_refused_pseudonym_key() -> None:
    result = _run(
        "bot.telegram",
        {
            "TELEGRAM_BOT_TOKEN": REAL_TOKEN,
            "ADAPTER_PSEUDONYM_KEY": MAKEFILE_PSEUDONYM_KEY,
            "APP_ENV": "production",
        },
    )
    assert result.returncode == 2
    output = _combined(result)
    assert "secrets: TELEGRAM_BOT_TOKEN ok; ADAPTER_PSEUDONYM_KEY refused (placeholder)" in output
    assert REAL_TOKEN not in output and REAL_TOKEN[:12] not in output and "change-me" not in output


def test_whatsapp_start_up_line_names_the_refused_pseudonym_key() -> None:
    app_secret, verify, access = secrets.token_hex(16), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    result = _run(
        "bot.whatsapp",
        {
            "WHATSAPP_APP_SECRET": app_secret,
            "WHATSAPP_VERIFY_TOKEN": verify,
            "WHATSAPP_ACCESS_TOKEN": access,
            "WHATSAPP_PHONE_NUMBER_ID": "123",
            "WHATSAPP_API_VERSION": "v99.0",
            "ADAPTER_PSEUDONYM_KEY": MAKEFILE_PSEUDONYM_KEY,
            "APP_ENV": "production",
        },
    )
    assert result.returncode == 2
    output = _combined(result)
    assert (
        "secrets: WHATSAPP_APP_SECRET ok; WHATSAPP_VERIFY_TOKEN ok; WHATSAPP_ACCESS_TOKEN ok; "
        "ADAPTER_PSEUDONYM_KEY refused (placeholder)"
    ) in output
    for value in (app_secret, verify, access):
        assert value[:8] not in output
