"""Rasa custom channels, loaded inside the Rasa process (Python 3.10): staff triage and the web chat socket."""

from __future__ import annotations

import logging
import os


def follow_rasa_log_level() -> None:
    """Give the channels' loggers Rasa's own level (``LOG_LEVEL``, INFO unless ``--debug``/``--quiet``).

    Rasa sets a level on its ``rasa`` logger only, and while serving the root logger is at WARNING, so without
    this the channels' INFO lines (a masked message, an ignored session id) never reached the log.
    """
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger(__name__).setLevel(level if isinstance(level, int) else logging.INFO)
