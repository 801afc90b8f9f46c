"""A malformed service URL is refused with what is wrong, never with the URL itself (it may hold a password)."""

from __future__ import annotations

import pytest

from bot.staff.settings import StaffSettings, StaffSettingsError
from bot.webchat.server import websocket_origin

SECRET_URL = "ftp://bob:s3cret-pass@rasa.internal:5005"


def test_staff_settings_name_the_problem_without_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    settings = StaffSettings(rasa_url=SECRET_URL)
    with pytest.raises(StaffSettingsError) as error:
        settings.check()
    message = str(error.value)
    assert "RASA_URL must be an absolute http(s) URL (scheme 'ftp', host set)" in message
    assert "s3cret-pass" not in message and "bob" not in message


def test_webchat_bot_url_names_the_problem_without_the_url() -> None:
    with pytest.raises(ValueError) as error:
        websocket_origin(SECRET_URL)
    assert "scheme 'ftp'" in str(error.value)
    assert "s3cret-pass" not in str(error.value)
