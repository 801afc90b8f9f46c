"""A Rasa started through ``bot.connectors.rasa_main`` has the speed-ups, whatever channels are configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: no channel of ours is imported, so only the entry point can have installed the fixes.
_PROBE = """
import sys
from bot.connectors.rasa_main import main
try:
    main(["--version"])
except SystemExit:
    pass
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from bot.connectors import action_validation, event_lookup
loaded = sorted(m for m in sys.modules if m in ("bot.connectors.webchat", "bot.connectors.triage"))
flags = getattr(Event, event_lookup._FLAG, False), getattr(RemoteAction, action_validation._FLAG, False)
print("RESULT", *flags, loaded)
"""


def test_rasa_started_without_our_channels_has_the_speedups() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert lines == ["RESULT True True []"], done.stdout + done.stderr
