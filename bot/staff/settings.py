"""Settings of the staff triage page, read from environment variables.

The development keys named in the project brief are accepted only with ``APP_ENV=development``;
anywhere else a missing or default key stops the process at start-up with a message naming the
variable.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_STAFF_PAGE_KEY = "dev-staff-page-change-me"
DEV_TRIAGE_STAFF_KEY = "dev-staff-key-change-me"
DEV_API_INGEST_KEY = "dev-ingest-key-change-me"
MIN_KEY_LENGTH = 16
SESSION_HOURS = 9  # one working day at the desk


class StaffSettingsError(RuntimeError):
    """The staff page cannot start safely with these settings."""


class StaffSettings(BaseSettings):
    """Everything the staff page needs: where it listens, whom it calls, which keys it uses."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    app_env: str = Field(default="production", validation_alias="APP_ENV")
    staff_host: str = Field(default="127.0.0.1", validation_alias="STAFF_HOST")
    staff_port: int = Field(default=8090, validation_alias="STAFF_PORT", gt=0, lt=65536)
    staff_page_key: SecretStr = Field(default=SecretStr(DEV_STAFF_PAGE_KEY), validation_alias="STAFF_PAGE_KEY")
    session_secret: SecretStr | None = Field(default=None, validation_alias="STAFF_SESSION_SECRET")
    cookie_secure: bool | None = Field(default=None, validation_alias="STAFF_COOKIE_SECURE")
    rasa_url: str = Field(default="http://127.0.0.1:5005", validation_alias="RASA_URL")
    triage_staff_key: SecretStr = Field(
        default=SecretStr(DEV_TRIAGE_STAFF_KEY), validation_alias="TRIAGE_STAFF_KEY"
    )
    triage_timeout_s: float = Field(default=10.0, validation_alias="STAFF_TRIAGE_TIMEOUT", gt=0)
    api_url: str = Field(default="http://127.0.0.1:8000", validation_alias="API_URL")
    api_ingest_key: SecretStr = Field(default=SecretStr(DEV_API_INGEST_KEY), validation_alias="API_INGEST_KEY")
    api_timeout_s: float = Field(default=5.0, validation_alias="STAFF_API_TIMEOUT", gt=0)

    @property
    def is_development(self) -> bool:
        """True only for ``APP_ENV=development``."""
        return self.app_env.strip().lower() == "development"

    @property
    def secure_cookie(self) -> bool:
        """Send the session cookie over HTTPS only; on by default outside development."""
        return (not self.is_development) if self.cookie_secure is None else self.cookie_secure

    def check(self) -> None:
        """Refuse unsafe values.

        Raises:
            StaffSettingsError: naming every variable that is missing, a development default
                outside development, too short, or a URL that is not http(s).
        """
        problems: list[str] = []
        for name, value, dev_default in (
            ("STAFF_PAGE_KEY", self.staff_page_key, DEV_STAFF_PAGE_KEY),
            ("TRIAGE_STAFF_KEY", self.triage_staff_key, DEV_TRIAGE_STAFF_KEY),
            ("API_INGEST_KEY", self.api_ingest_key, DEV_API_INGEST_KEY),
        ):
            raw = value.get_secret_value()
            if not raw.strip():
                problems.append(f"{name} is empty")
            elif not self.is_development and raw == dev_default:
                problems.append(f"{name} still has its development default; set a real key")
            elif not self.is_development and len(raw) < MIN_KEY_LENGTH:
                problems.append(f"{name} must be at least {MIN_KEY_LENGTH} characters")
        for name, url in (("RASA_URL", self.rasa_url), ("API_URL", self.api_url)):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"{name} must be an absolute http(s) URL, got {url!r}")
        if self.session_secret is None and not self.is_development:
            problems.append(
                "STAFF_SESSION_SECRET is not set (signs the login cookie); generate one with: "
                'python -c "import secrets; print(secrets.token_hex(32))"'
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
