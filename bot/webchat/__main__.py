"""Start the demo server: ``python -m bot.webchat`` (WEBCHAT_PORT, default 8080).

Environment: WEBCHAT_HOST (127.0.0.1), WEBCHAT_PORT (8080), WEBCHAT_BOT_URL (the URL the
browser uses to reach Rasa's socket.io channel; default RASA_URL, else
http://127.0.0.1:${RASA_PORT:-5005}).
"""

from __future__ import annotations

import logging
import os
import sys

from bot.webchat.server import WebchatSettings, make_server


def settings_from_env(environ: dict[str, str] | os._Environ[str]) -> WebchatSettings:
    """Read the demo server's settings from the environment.

    Args:
        environ: usually ``os.environ``.

    Returns:
        The settings; a bad port raises ValueError with the variable's name.
    """
    raw_port = environ.get("WEBCHAT_PORT", "8080")
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ValueError(f"WEBCHAT_PORT must be a port number, got {raw_port!r}")
    default_bot = environ.get("RASA_URL") or f"http://127.0.0.1:{environ.get('RASA_PORT', '5005')}"
    return WebchatSettings(
        host=environ.get("WEBCHAT_HOST", "127.0.0.1"),
        port=int(raw_port),
        bot_url=environ.get("WEBCHAT_BOT_URL") or default_bot,
    )


def main() -> int:
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = settings_from_env(os.environ)
        server = make_server(settings)
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"webchat: {exc}\n")
        return 2
    logging.getLogger("wegwijzer.webchat").info(
        "demo page on http://%s:%d/ (bot %s)", settings.host, settings.port, settings.bot_url
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
