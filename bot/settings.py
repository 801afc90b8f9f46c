"""Settings of the adapter processes, one class per concern, read from environment variables.

Secrets are ``SecretStr`` and are never defaulted to an empty string. Whether a secret may be used is
decided by the one policy of every process, ``shared.secret_policy``; ``secret_checks()`` lists what it found
(for the start-up line) and ``problems()`` names every missing or unsafe value, so a process fails fast with a
precise message instead of running half-configured (full-stack-fastapi-template,
``backend/app/core/config.py``).
"""

from __future__ import annotations

import re
import secrets
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.secret_policy import GENERATE_HINT, SecretCheck, check_secret, is_development

# Telegram's rule for setWebhook's secret_token: 1-256 characters from this set (core.telegram.org/bots/api).
TELEGRAM_SECRET_CHARSET = "A-Za-z0-9_-"
TELEGRAM_SECRET_MAX_LENGTH = 256
GRAPH_VERSION = re.compile(r"^v\d+\.\d+$")
GENERATE = f"generate one with: {GENERATE_HINT}"


class SettingsError(RuntimeError):
    """Raised when a process cannot start safely with the given settings."""


def _raw(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


class AdapterSettings(BaseSettings):
    """Shared by all adapters: the pseudonym key and the environment name."""

    model_config = SettingsConfigDict(env_prefix="ADAPTER_", extra="ignore")

    pseudonym_key: SecretStr | None = None
    app_env: str = Field(default="production", validation_alias="APP_ENV")
    log_json: bool | None = None

    @property
    def is_development(self) -> bool:
        """True only for ``APP_ENV=development``."""
        return is_development(self.app_env)

    def pseudonym_check(self) -> SecretCheck:
        """What the secret policy says about ``ADAPTER_PSEUDONYM_KEY``."""
        return check_secret("ADAPTER_PSEUDONYM_KEY", _raw(self.pseudonym_key), self.is_development)

    def problems(self) -> list[str]:
        """Empty when the pseudonym key may be used (or, in development only, replaced by a throw-away key)."""
        check = self.pseudonym_check()
        if check.usable or (check.missing and self.is_development):
            return []
        if check.missing:
            return [f"{check.describe()}: {GENERATE}, or set APP_ENV=development to use a throw-away key"]
        return [f"{check.describe()}: {GENERATE}"]

    def pseudonym_key_bytes(self) -> tuple[bytes, bool]:
        """Return the key for ``pseudonymise`` and whether it is a throw-away development key.

        Returns:
            The configured key, or in development only, when it is unset, a random per-process key
            (pseudonyms then change at every restart, so Rasa forgets conversations).

        Raises:
            SettingsError: When the key is missing, a placeholder or too short outside development.
        """
        check = self.pseudonym_check()
        if check.usable and self.pseudonym_key is not None:
            return self.pseudonym_key.get_secret_value().encode(), False
        if check.missing and self.is_development:
            return secrets.token_bytes(32), True
        raise SettingsError("; ".join(self.problems()))


class RasaSettings(BaseSettings):
    """Where Rasa's REST channel is and how long to wait for it."""

    model_config = SettingsConfigDict(env_prefix="RASA_", extra="ignore")

    url: str = "http://127.0.0.1:5005"
    timeout_seconds: float = Field(default=10.0, gt=0, le=10)

    @property
    def webhook_url(self) -> str:
        """The REST channel endpoint."""
        return self.url.rstrip("/") + "/webhooks/rest/webhook"


class TelegramSettings(BaseSettings):
    """Telegram bot token and how updates arrive (polling or webhook)."""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", extra="ignore")

    bot_token: SecretStr | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8082, ge=1, le=65535)
    api_base_url: str = "https://api.telegram.org/bot"
    concurrent_updates: int = Field(default=8, ge=1, le=256)
    max_retries: int = Field(default=2, ge=0, le=10)

    @property
    def configured(self) -> bool:
        """True when a token is set, i.e. the operator wants this adapter to run."""
        return self.bot_token is not None and bool(self.bot_token.get_secret_value().strip())

    @property
    def webhook_path(self) -> str:
        """The path part of ``webhook_url``, where the local server listens."""
        path = urlsplit(self.webhook_url or "").path
        return path or "/telegram/webhook"

    def secret_checks(self, development: bool) -> list[SecretCheck]:
        """The secret policy's verdict on the token and, in webhook mode, the webhook secret.

        Args:
            development: Whether ``APP_ENV=development``.

        Returns:
            One check per secret this mode uses. The webhook secret authenticates calls from the internet,
            so it is checked in full in development too, with Telegram's own character rule.
        """
        checks = [check_secret("TELEGRAM_BOT_TOKEN", _raw(self.bot_token), development)]
        if self.mode == "webhook":
            checks.append(
                check_secret(
                    "TELEGRAM_WEBHOOK_SECRET",
                    _raw(self.webhook_secret),
                    development,
                    charset=TELEGRAM_SECRET_CHARSET,
                    max_length=TELEGRAM_SECRET_MAX_LENGTH,
                    strict=True,
                )
            )
        return checks

    def problems(self, development: bool) -> list[str]:
        """List what stops a safe start, one precise sentence each.

        Args:
            development: Whether ``APP_ENV=development``; placeholders are then tolerated (not in the
                webhook secret).

        Returns:
            Empty when the adapter can start.
        """
        found: list[str] = []
        for check in self.secret_checks(development):
            if check.usable:
                continue
            if check.name == "TELEGRAM_WEBHOOK_SECRET":
                found.append(
                    f"{check.describe()}: webhook mode needs a random secret of 16-256 characters from "
                    "A-Z a-z 0-9 _ - (core.telegram.org/bots/api#setwebhook); "
                    'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
                )
            else:
                found.append(check.describe())
        if self.mode == "webhook" and (not self.webhook_url or not self.webhook_url.startswith("https://")):
            found.append("TELEGRAM_WEBHOOK_URL must be an https:// URL in webhook mode")
        return found


class WhatsAppSettings(BaseSettings):
    """Meta WhatsApp Cloud API credentials and the local webhook server."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_", extra="ignore")

    app_secret: SecretStr | None = None
    verify_token: SecretStr | None = None
    access_token: SecretStr | None = None
    phone_number_id: str | None = None
    api_version: str | None = None
    graph_base_url: str = "https://graph.facebook.com"
    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=1, le=65535)
    max_body_bytes: int = Field(default=3 * 1024 * 1024, ge=1024)
    graph_timeout_seconds: float = Field(default=10.0, gt=0, le=10)
    concurrency: int = Field(default=16, ge=1, le=256)

    @property
    def configured(self) -> bool:
        """True when any WhatsApp variable is set, i.e. the operator wants this adapter to run."""
        return any(
            (
                self.app_secret,
                self.verify_token,
                self.access_token,
                self.phone_number_id,
                self.api_version,
            )
        )

    @property
    def messages_url(self) -> str:
        """The Graph API send endpoint for our phone number."""
        return f"{self.graph_base_url.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"

    def secret_checks(self, development: bool) -> list[SecretCheck]:
        """The secret policy's verdict on the three WhatsApp secrets.

        Args:
            development: Whether ``APP_ENV=development``.

        Returns:
            One check each. The app secret verifies every webhook POST from the internet, so it is checked
            in full in development too.
        """
        return [
            check_secret("WHATSAPP_APP_SECRET", _raw(self.app_secret), development, strict=True),
            check_secret("WHATSAPP_VERIFY_TOKEN", _raw(self.verify_token), development),
            check_secret("WHATSAPP_ACCESS_TOKEN", _raw(self.access_token), development),
        ]

    def problems(self, development: bool) -> list[str]:
        """List what stops a safe start, one precise sentence each.

        Args:
            development: Whether ``APP_ENV=development``; placeholders are then tolerated, except in the
                app secret.

        Returns:
            Empty when the adapter can start. A missing app secret is always a problem: without it
            no webhook POST can be verified.
        """
        found = [check.describe() for check in self.secret_checks(development) if not check.usable]
        if not self.phone_number_id or not self.phone_number_id.isdigit():
            found.append("WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id from Meta")
        if not self.api_version or not GRAPH_VERSION.match(self.api_version):
            found.append(
                "WHATSAPP_API_VERSION must be a supported Graph API version such as v23.0 "
                "(see developers.facebook.com/docs/graph-api/changelog)"
            )
        return found
