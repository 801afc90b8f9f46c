"""Start the staff triage page: ``python -m bot.staff`` (STAFF_HOST:STAFF_PORT, default 127.0.0.1:8090)."""

from __future__ import annotations

import sys

import structlog
import uvicorn

from bot.logging import configure_logging
from bot.staff.app import create_app
from bot.staff.settings import StaffSettings, StaffSettingsError

log = structlog.get_logger("bot.staff")


def main() -> int:
    """Check the settings, then serve until interrupted."""
    configure_logging()
    settings = StaffSettings()
    log.info(settings.secrets_line())
    try:
        settings.check()
    except StaffSettingsError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    app = create_app(settings)
    # access_log off: paths carry no text, but one line per request adds nothing here.
    uvicorn.run(
        app,
        host=settings.staff_host,
        port=settings.staff_port,
        access_log=False,
        log_config=None,  # keep the structlog set-up from configure_logging()
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
