"""Writing a measurement's raw result: the small JSON committed next to the figure it backs (BENCHMARKS.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_result(out: Path, report: dict[str, Any]) -> None:
    """Write ``report`` as indented UTF-8 JSON (readable in a diff), creating the folder; say where."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out}")
