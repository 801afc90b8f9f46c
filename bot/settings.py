"""Settings of the adapter processes, one class per concern, read from environment variables.

Secrets are ``SecretStr`` and are never defaulted to an empty string. ``problems()`` names every
missing or unsafe value at start-up, so a process fails fast with a precise message instead of
running half-configured (full-stack-fastapi-template, ``backend/app/core/config.py``).
"""

from __future__ import annotations

import re
import secrets
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.secret_policy import MIN_KEY_LENGTH, is_placeholder

TELEGRAM_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
GRAPH_VERSION = re.compile(r"^v\d+\.\d+$")


class SettingsError(RuntimeError):
    """Raised when a process cannot start safely with the given settings."""


def _is_placeholder(value: SecretStr | None) -> bool:
    return is_placeholder(None if value is None else value.get_secret_value())


class AdapterSettings(BaseSettings):
    """Shared by all adapters: the pseudonym key and the environment name."""

    model_config = SettingsConfigDict(env_prefix="ADAPTER_", extra="ignore")

    pseudonym_key: SecretStr | None = None
    app_env: str = Field(default="production", validation_alias="APP_ENV")
    log_json: bool | None = None

    @property
    def is_development(self) -> bool:
        """True only for ``APP_ENV=development``."""
        return self.app_env.strip().lower() == "development"

    def pseudonym_key_bytes(self) -> tuple[bytes, bool]:
        """Return the key for ``pseudonymise`` and whether it is a throw-away development key.

        Returns:
            The configured key, or in development only a random per-process key (pseudonyms then
            change at every restart, so Rasa forgets conversations).

        Raises:
            SettingsError: When the key is missing, a placeholder or too short outside development.
        """
        key = self.pseudonym_key
        if key is not None and not _is_placeholder(key):
            raw = key.get_secret_value()
            if len(raw) >= MIN_KEY_LENGTH:
                return raw.encode(), False
            if not self.is_development:
                raise SettingsError(
                    f"ADAPTER_PSEUDONYM_KEY must be at least {MIN_KEY_LENGTH} characters; "
                    'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
                )
        if self.is_development:
            return secrets.token_bytes(32), True
        raise SettingsError(
            "ADAPTER_PSEUDONYM_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_hex(32))"), '
            "or set APP_ENV=development to use a throw-away key."
        )


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

    def problems(self, development: bool) -> list[str]:
        """List what stops a safe start, one precise sentence each.

        Args:
            development: Whether ``APP_ENV=development``; placeholders are then tolerated.

        Returns:
            Empty when the adapter can start.
        """
        found: list[str] = []
        if not self.configured:
            found.append("TELEGRAM_BOT_TOKEN is not set")
        elif _is_placeholder(self.bot_token) and not development:
            found.append("TELEGRAM_BOT_TOKEN is a placeholder")
        if self.mode == "webhook":
            if not self.webhook_url or not self.webhook_url.startswith("https://"):
                found.append("TELEGRAM_WEBHOOK_URL must be an https:// URL in webhook mode")
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if _is_placeholder(self.webhook_secret) or not TELEGRAM_SECRET_TOKEN.match(secret):
                found.append(
                    "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode: 1-256 characters "
                    "from A-Z a-z 0-9 _ - (core.telegram.org/bots/api#setwebhook)"
                )
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

    def problems(self, development: bool) -> list[str]:
        """List what stops a safe start, one precise sentence each.

        Args:
            development: Whether ``APP_ENV=development``; placeholders are then tolerated.

        Returns:
            Empty when the adapter can start. A missing app secret is always a problem: without it
            no webhook POST can be verified.
        """
        found: list[str] = []
        secrets_ = {
            "WHATSAPP_APP_SECRET": self.app_secret,
            "WHATSAPP_VERIFY_TOKEN": self.verify_token,
            "WHATSAPP_ACCESS_TOKEN": self.access_token,
        }
        for name, value in secrets_.items():
            if value is None or not value.get_secret_value().strip():
                found.append(f"{name} is not set")
            elif _is_placeholder(value) and (not development or name == "WHATSAPP_APP_SECRET"):
                found.append(f"{name} is a placeholder")
        if not self.phone_number_id or not self.phone_number_id.isdigit():
            found.append("WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id from Meta")
        if not self.api_version or not GRAPH_VERSION.match(self.api_version):
            found.append(
                "WHATSAPP_API_VERSION must be a supported Graph API version such as v23.0 "
                "(see developers.facebook.com/docs/graph-api/changelog)"
            )
        return found
