"""Starts the action server: validates knowledge/ first, so a broken content file stops start-up with a
message naming the file, field and problem, then serves the actions on ACTION_SERVER_HOST:ACTION_SERVER_PORT.

Why our own entry point: `rasa run actions` binds 0.0.0.0 and allows every CORS origin; the action server has no
authentication, so it must listen on localhost (or a private network) only.
"""

from __future__ import annotations

import logging
import os
import sys


def main() -> None:
    """Validate content, then run the rasa-sdk endpoint."""
    from bot import log_redaction
    from knowledge import ContentError, load_catalog

    log_redaction.install()  # no resident text or personal data in any log line (bot/log_redaction.py)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        catalog = load_catalog()
    except ContentError as exc:
        sys.exit(f"Wegwijzer cannot start: {exc}")
    logging.getLogger(__name__).info(
        "content ok: %d topics, %d locations", len(catalog.topics), len(catalog.locations)
    )
    os.environ.setdefault("SANIC_HOST", os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    from rasa_sdk.endpoint import run

    run("actions", port=int(os.environ.get("ACTION_SERVER_PORT", "5055")), cors_origins=None)


if __name__ == "__main__":
    main()
