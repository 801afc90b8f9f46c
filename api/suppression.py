"""Small-count protection: the one place where counts become publishable. Pure, no I/O.

Rule (docs/api.md, "Suppression"): counts 1 to threshold-1 are hidden as "<10" (primary
suppression); wherever a published total would let a reader work a hidden count back out, more
cells are hidden (secondary suppression, shown as "x"); every published count is rounded to a
multiple of ``base``. Zero stays "0": a true zero discloses nobody.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Literal

HiddenReason = Literal["small", "secondary"]
SECONDARY_MARK = "x"

Position = tuple[int, int]


@dataclass(frozen=True)
class Published:
    """A count as published: ``count`` is None when hidden, ``shown`` is the display text."""

    count: int | None
    shown: str
    hidden: HiddenReason | None = None


@dataclass(frozen=True)
class ProtectedTable:
    """A periods-by-values table with its totals, after protection."""

    cells: list[list[Published]]
    row_totals: list[Published]
    column_totals: list[Published]
    grand_total: Published


def round_to_base(value: int, base: int) -> int:
    """Round a non-negative count half up to a multiple of ``base`` (no rounding if base <= 1).

    Args:
        value: The exact count.
        base: The rounding base, e.g. 5.

    Returns:
        The rounded count.
    """
    if base <= 1:
        return value
    return (value + base // 2) // base * base


def _lines(rows: int, cols: int) -> list[tuple[list[Position], Position]]:
    """Every row and column of the extended table, as (cells, total position)."""
    lines: list[tuple[list[Position], Position]] = []
    for i in range(rows + 1):
        lines.append(([(i, j) for j in range(cols)], (i, cols)))
    for j in range(cols + 1):
        lines.append(([(i, j) for i in range(rows)], (rows, j)))
    return lines


def _line_is_safe(
    line: tuple[list[Position], Position],
    hidden: Container[Position],
    values: list[list[int]],
    threshold: int,
    extra: Position | None = None,
) -> bool:
    """A line is safe when its total is hidden, or its hidden cells are none, or at least two
    that add up to ``threshold`` or more (so "total minus shown cells" reveals no small count)."""
    cells, total = line
    if total in hidden or total == extra:
        return True
    hidden_values = [values[i][j] for i, j in cells if (i, j) in hidden or (i, j) == extra]
    return not hidden_values or (len(hidden_values) >= 2 and sum(hidden_values) >= threshold)


def _choose_hidden(
    extended: list[list[int]], rows: int, cols: int, threshold: int
) -> dict[Position, HiddenReason]:
    hidden: dict[Position, HiddenReason] = {}
    for i in range(rows + 1):
        for j in range(cols + 1):
            if 0 < extended[i][j] < threshold:
                hidden[(i, j)] = "small"
    lines = _lines(rows, cols)
    lines_of: dict[Position, list[int]] = {}
    for index, (cells, total) in enumerate(lines):
        for position in [*cells, total]:
            lines_of.setdefault(position, []).append(index)

    def new_violations(position: Position) -> int:
        return sum(
            not _line_is_safe(lines[k], hidden, extended, threshold, position) for k in lines_of[position]
        )

    changed = True
    while changed:
        changed = False
        for line in lines:
            if _line_is_safe(line, hidden, extended, threshold):
                continue
            cells, total = line
            # Greedy choice: hide the entry (a cell of this line, or its total) that leaves the
            # fewest other lines unsafe, then the smallest; a true zero is never hidden.
            candidates = [p for p in [*cells, total] if p not in hidden and extended[p[0]][p[1]]]
            pick = min(candidates, key=lambda p: (new_violations(p), extended[p[0]][p[1]], p == total, p))
            hidden[pick] = "secondary"
            changed = True
    return hidden


def protect_table(cells: Sequence[Sequence[int]], *, threshold: int = 10, base: int = 5) -> ProtectedTable:
    """Apply primary and secondary suppression and rounding to a table and its totals.

    The totals are computed here from the exact cells, so they are protected together with them.
    After protection, for every published total the hidden cells of its row or column are either
    none, or at least two that add up to ``threshold`` or more, so no hidden count can be
    worked out from a total and the published cells.

    Args:
        cells: Exact non-negative counts, ``cells[period][value]``; all rows equally long.
        threshold: Counts from 1 to ``threshold - 1`` are hidden (shown as ``"<threshold"``).
        base: Published counts are rounded to a multiple of this (0 or 1: no rounding).
            Must divide ``threshold`` so that rounding never produces a count below it.

    Returns:
        The protected table.

    Raises:
        ValueError: For negative counts, ragged rows or an incompatible threshold and base.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if base > 1 and threshold % base != 0:
        raise ValueError("threshold must be a multiple of the rounding base")
    rows = len(cells)
    cols = len(cells[0]) if rows else 0
    if any(len(row) != cols for row in cells):
        raise ValueError("all rows must have the same number of cells")
    if any(v < 0 for row in cells for v in row):
        raise ValueError("counts cannot be negative")

    extended = [[*row, sum(row)] for row in cells]
    column_sums = [sum(cells[i][j] for i in range(rows)) for j in range(cols)]
    extended.append([*column_sums, sum(column_sums)])
    hidden = _choose_hidden(extended, rows, cols, threshold)

    def publish(i: int, j: int) -> Published:
        reason = hidden.get((i, j))
        if reason == "small":
            return Published(None, f"<{threshold}", "small")
        if reason == "secondary":
            return Published(None, SECONDARY_MARK, "secondary")
        value = round_to_base(extended[i][j], base)
        return Published(value, str(value))

    return ProtectedTable(
        cells=[[publish(i, j) for j in range(cols)] for i in range(rows)],
        row_totals=[publish(i, cols) for i in range(rows)],
        column_totals=[publish(rows, j) for j in range(cols)],
        grand_total=publish(rows, cols),
    )
