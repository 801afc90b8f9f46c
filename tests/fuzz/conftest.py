"""The fuzz tests reuse the fault drills' helpers (real stack, socket.io client) from tests/faults."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
