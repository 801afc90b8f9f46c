"""API settings from the environment (prefix ``API_``), validated once at start-up.

The keys and the session secret follow the one secret policy of every process (``shared.secret_policy``):
placeholders and short values are accepted only when ``APP_ENV=development``, so a copied ``.env.example``
can never reach production unnoticed. Errors never show an input value (``hide_input_in_errors``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from api.paths import DEFAULT_DATABASE_URL, REPO_ROOT
from shared.secret_policy import SecretCheck, check_secret, is_development, summary

# The plaintext secrets, as fields; their variables are API_<FIELD>. All optional: keys can also come from
# the database (python -m api keys create) or as SHA-256, and the session secret is random per process.
SECRET_FIELDS = ("ingest_key", "read_key", "session_secret")


def sha256_hex(value: str) -> str:
    """Return the hex SHA-256 of a key; the only form in which keys are kept."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class ApiSettings(BaseSettings):
    """Configuration of the statistics API; built in ``create_app()`` or ``main()``."""

    model_config = SettingsConfigDict(
        env_prefix="API_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,  # a refused secret is named, never shown
    )

    app_env: Literal["development", "test", "production"] = Field(
        default="production",
        validation_alias=AliasChoices("APP_ENV", "API_APP_ENV"),
    )
    database_url: str = DEFAULT_DATABASE_URL
    auto_migrate: bool | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    ingest_key: SecretStr | None = None
    read_key: SecretStr | None = None
    ingest_key_sha256: str | None = None
    read_key_sha256: str | None = None
    session_secret: SecretStr | None = None
    session_max_age: int = Field(default=8 * 3600, ge=60)
    secure_cookies: bool | None = None
    # 1 (with base 1) publishes exact counts: only for tests of what is counted, never for real figures.
    suppression_threshold: int = Field(default=10, ge=1)
    rounding_base: int = Field(default=5, ge=0)
    content_dir: str | None = None  # knowledge/ by default; tests point it at their own content
    max_batch: int = Field(default=500, ge=1, le=500)
    # A full batch of 500 events is about 150 kB of JSON; 512 KiB leaves room without letting one request
    # cost the API real memory (api/body_limit.py).
    max_body_bytes: int = Field(default=512 * 1024, ge=1024)
    # Compute the releases of the last 13 months in the background at start-up, so the first dashboard view
    # after a deploy does not wait for them (api/reports.py, warm_releases).
    warm_releases: bool = True

    @field_validator("database_url")
    @classmethod
    def _sqlite_paths_from_repo_root(cls, value: str) -> str:
        """A relative SQLite path counts from the repository root, never from the CWD."""
        url = make_url(value)
        database = url.database or ""
        relative = database not in ("", ":memory:") and not Path(database).is_absolute()
        if url.get_backend_name() == "sqlite" and relative:
            return url.set(database=str(REPO_ROOT / database)).render_as_string(False)
        return value

    @field_validator("ingest_key_sha256", "read_key_sha256")
    @classmethod
    def _is_sha256_hex(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        cleaned = value.strip().lower()
        if len(cleaned) != 64 or any(ch not in "0123456789abcdef" for ch in cleaned):
            raise ValueError("must be the 64-character hex SHA-256 of the key")
        return cleaned

    @field_validator("ingest_key", "read_key", "session_secret")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() == "":
            return None
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_secrets(self) -> ApiSettings:
        refused = [check.describe() for check in self.secret_checks() if check.refused]
        if refused:
            raise ValueError(
                "; ".join(refused) + ": set real secrets (keys from `python -m api keys create`) "
                "or APP_ENV=development"
            )
        return self

    def secret_checks(self) -> list[SecretCheck]:
        """The secret policy's verdict on each plaintext secret (docs/operations.md, "Secrets")."""
        development = is_development(self.app_env)
        checks = []
        for name in SECRET_FIELDS:
            secret: SecretStr | None = getattr(self, name)
            value = None if secret is None else secret.get_secret_value()
            checks.append(check_secret(f"API_{name.upper()}", value, development))
        return checks

    def secrets_line(self) -> str:
        """The start-up line: which secrets are set, missing or tolerated, by name only."""
        return summary(self.secret_checks())

    @property
    def is_default_sqlite(self) -> bool:
        """Whether the database is the embedded default SQLite file under var/."""
        return self.database_url == DEFAULT_DATABASE_URL

    @property
    def should_auto_migrate(self) -> bool:
        """Migrate at start-up: on by default only for the embedded SQLite database."""
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.is_default_sqlite

    @property
    def use_secure_cookies(self) -> bool:
        """Session cookies need HTTPS everywhere except in development."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.app_env != "development"

    def env_key_hashes(self) -> dict[str, list[str]]:
        """Return the SHA-256 of the keys given in the environment, per scope."""
        hashes: dict[str, list[str]] = {"ingest": [], "read": []}
        if self.ingest_key is not None:
            hashes["ingest"].append(sha256_hex(self.ingest_key.get_secret_value()))
        if self.ingest_key_sha256:
            hashes["ingest"].append(self.ingest_key_sha256)
        if self.read_key is not None:
            hashes["read"].append(sha256_hex(self.read_key.get_secret_value()))
        if self.read_key_sha256:
            hashes["read"].append(self.read_key_sha256)
        return hashes
