"""Writing a measurement's raw result: the small JSON committed next to the figure it backs (BENCHMARKS.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def write_result(out: Path, report: dict[str, Any]) -> None:
    """Write ``report`` as indented UTF-8 JSON (readable in a diff), creating the folder; say where."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out}")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table's lines (header, rule, one line per row), as BENCHMARKS.md shows measurements."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return lines
