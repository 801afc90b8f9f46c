"""Settings of the staff triage page, read from environment variables.

The keys follow the one secret policy of every process (``shared.secret_policy``): an unset key stops the
process in every environment, and placeholders (the Makefile's ``dev-*-change-me`` keys among them) or short
keys are accepted only with ``APP_ENV=development``. The message names every variable, never a value.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.secret_policy import SecretCheck, check_secret, is_development, summary

SESSION_HOURS = 9  # one working day at the desk


class StaffSettingsError(RuntimeError):
    """The staff page cannot start safely with these settings."""


class StaffSettings(BaseSettings):
    """Everything the staff page needs: where it listens, whom it calls, which keys it uses."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    app_env: str = Field(default="production", validation_alias="APP_ENV")
    staff_host: str = Field(default="127.0.0.1", validation_alias="STAFF_HOST")
    staff_port: int = Field(default=8090, validation_alias="STAFF_PORT", gt=0, lt=65536)
    # An empty key is a missing key: check() refuses it. `make run` and .env.example give development keys.
    staff_page_key: SecretStr = Field(default=SecretStr(""), validation_alias="STAFF_PAGE_KEY")
    session_secret: SecretStr | None = Field(default=None, validation_alias="STAFF_SESSION_SECRET")
    cookie_secure: bool | None = Field(default=None, validation_alias="STAFF_COOKIE_SECURE")
    rasa_url: str = Field(default="http://127.0.0.1:5005", validation_alias="RASA_URL")
    triage_staff_key: SecretStr = Field(default=SecretStr(""), validation_alias="TRIAGE_STAFF_KEY")
    triage_timeout_s: float = Field(default=10.0, validation_alias="STAFF_TRIAGE_TIMEOUT", gt=0)
    api_url: str = Field(default="http://127.0.0.1:8000", validation_alias="API_URL")
    api_ingest_key: SecretStr = Field(default=SecretStr(""), validation_alias="API_INGEST_KEY")
    api_timeout_s: float = Field(default=5.0, validation_alias="STAFF_API_TIMEOUT", gt=0)

    @property
    def is_development(self) -> bool:
        """True only for ``APP_ENV=development``."""
        return is_development(self.app_env)

    @property
    def secure_cookie(self) -> bool:
        """Send the session cookie over HTTPS only; on by default outside development."""
        return (not self.is_development) if self.cookie_secure is None else self.cookie_secure

    def secret_checks(self) -> list[SecretCheck]:
        """The secret policy's verdict on the page key, the session secret and the two keys it sends."""
        development = self.is_development
        session = None if self.session_secret is None else self.session_secret.get_secret_value()
        return [
            check_secret("STAFF_PAGE_KEY", self.staff_page_key.get_secret_value(), development),
            check_secret("STAFF_SESSION_SECRET", session, development),
            check_secret("TRIAGE_STAFF_KEY", self.triage_staff_key.get_secret_value(), development),
            check_secret("API_INGEST_KEY", self.api_ingest_key.get_secret_value(), development),
        ]

    def secrets_line(self) -> str:
        """The start-up line: each secret's state, by name only."""
        return summary(self.secret_checks())

    def check(self) -> None:
        """Refuse unsafe values.

        Raises:
            StaffSettingsError: naming every key that is missing, refused by the secret policy (a
                placeholder or too short outside development), or a URL that is not http(s).
        """
        problems: list[str] = []
        for secret in self.secret_checks():
            if secret.name == "STAFF_SESSION_SECRET" and secret.missing:
                if not self.is_development:  # development signs with a random per-process key
                    problems.append(
                        "STAFF_SESSION_SECRET missing (it signs the login cookie); generate one with: "
                        'python -c "import secrets; print(secrets.token_hex(32))"'
                    )
            elif not secret.usable:
                problems.append(secret.describe())
        for name, url in (("RASA_URL", self.rasa_url), ("API_URL", self.api_url)):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                # The URL itself is not echoed: it may carry a user name and password.
                problems.append(
                    f"{name} must be an absolute http(s) URL (scheme {parts.scheme or 'missing'!r}, "
                    f"host {'set' if parts.netloc else 'missing'})"
                )
        if problems:
            raise StaffSettingsError("staff page settings: " + "; ".join(problems))

    def session_key(self) -> bytes:
        """The key that signs session cookies.

        Returns:
            The configured secret, or in development a random per-process key (staff then log
            in again after a restart).
        """
        if self.session_secret is not None and self.session_secret.get_secret_value():
            return self.session_secret.get_secret_value().encode()
        return secrets.token_bytes(32)
