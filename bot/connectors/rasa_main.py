"""Start Rasa with our speed-ups installed: ``python -m bot.connectors.rasa_main run ...`` (rasa's arguments).

Why an entry point: Rasa 3.6 has no start-up hook, and installing the fixes of ``bot/connectors/speedups.py``
from a channel's ``from_credentials`` only works when that channel is configured. Every place that starts Rasa
(Procfile.dev, scripts/stack.py; deploy/rasa.Dockerfile should follow) runs this module instead of ``rasa``,
so a credentials.yml without any channel of ours still gets the fixes. It also installs the log redaction
(``bot/log_redaction.py``) before Rasa logs its first line.
"""

from __future__ import annotations

import sys

from bot import log_redaction
from bot.connectors import speedups


def main(argv: list[str] | None = None) -> None:
    """Install the log redaction (``bot/log_redaction.py``) and the speed-ups, then hand ``argv`` (default:
    this process's arguments) to Rasa's own CLI."""
    from rasa.__main__ import main as rasa_cli  # Rasa's import is slow: only when actually starting.

    log_redaction.install()
    speedups.install()
    if argv is not None:
        sys.argv = ["rasa", *argv]
    else:
        sys.argv[0] = "rasa"
    rasa_cli()


if __name__ == "__main__":
    main()
