"""Small-count protection: the one place where counts become publishable. Pure, no I/O.

Rule (docs/api.md, "Suppression"): counts 1 to threshold-1 are hidden as "<10" (primary
suppression); wherever a published total would let a reader work a hidden count back out, more
cells are hidden (secondary suppression, shown as "x"); every published count is rounded to a
multiple of ``base``. Zero stays "0": a true zero discloses nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def _choose_hidden(
    extended: list[list[int]], rows: int, cols: int, threshold: int
) -> dict[Position, HiddenReason]:
    hidden: dict[Position, HiddenReason] = {}
    for i in range(rows + 1):
        for j in range(cols + 1):
            if 0 < extended[i][j] < threshold:
                hidden[(i, j)] = "small"
    lines = _lines(rows, cols)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if total in hidden:
                continue
            hidden_cells = [p for p in cells if p in hidden]
            if not hidden_cells:
                continue
            hidden_sum = sum(extended[i][j] for i, j in hidden_cells)
            if len(hidden_cells) >= 2 and hidden_sum >= threshold:
                continue
            candidates = [p for p in cells if p not in hidden and extended[p[0]][p[1]] > 0]
            if candidates:
                pick = min(candidates, key=lambda p: (extended[p[0]][p[1]], p))
                hidden[pick] = "secondary"
            else:
                hidden[total] = "secondary"
            changed = True
    return hidden


def protect_table(
    cells: Sequence[Sequence[int]], *, threshold: int = 10, base: int = 5
) -> ProtectedTable:
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
