"""The protected release of one kind of event in one settled period: every figure the API and the dashboard
may show about it, protected together.

The rule (docs/api.md, "Suppression"):
1. Only settled periods are released: the period has ended and no event can still arrive for it
   (knowledge/reach.py refuses events more than LATE_EVENT_DAYS old). A released figure never changes, so
   polling, or posting events and watching a figure change, reveals nothing.
2. One release holds every grouping at once (the total; per topic, target, municipality, channel and
   helpfulness; and municipality x target and municipality x helpfulness for the municipal report), so a
   figure hidden in one grouping cannot be worked out from another.
3. Counts 1 to threshold-1 are hidden ("<10"); published counts are rounded to the base; zero stays 0.
4. Audit: for every hidden small count, the interval a reader can derive from all published figures
   (api/audit.py, linear programming) must keep every value within the protection level of the true count
   (3 for a threshold of 10; within 1..threshold-1). While it does not, one more figure that pins it is hidden
   ("x", which a reader knows only as "not zero"), the smallest first.
Figures over several periods are sums of released figures (reports.py), so they add nothing a reader could
not add up themselves.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from api.audit import Figure, Problem, extreme
from api.suppression import SECONDARY_MARK, Published, round_to_base
from knowledge.reach import LATE_EVENT_DAYS

DIMENSIONS: tuple[str, ...] = ("topic", "target", "gemeente", "channel", "helpful")
CROSSES: tuple[tuple[str, str], ...] = (("gemeente", "target"), ("gemeente", "helpful"))
# An event's values in DIMENSIONS order; helpful is "true", "false" or None.
Cell = tuple[str | None, str | None, str | None, str | None, str | None]
Value = str | None
FigureKey = tuple[str, tuple[Value, ...]]  # ("total", ()), ("topic", (v,)), ("gemeente*target", (g, t))
Status = Literal["zero", "small", "shown", "secondary"]
_TOLERANCE = 1e-6

# The dimensions that appear in a cross table are modelled jointly (see _Model).
_CUBE = tuple(DIMENSIONS.index(d) for d in ("gemeente", "target", "helpful"))


@dataclass(frozen=True)
class Release:
    """The protected figures of one kind in one period."""

    total: Published
    margins: Mapping[str, Mapping[Value, Published]]
    crosses: Mapping[tuple[str, str], Mapping[tuple[Value, Value], Published]]

    def margin(self, dimension: str, value: Value) -> Published:
        """One value's figure; a value that never occurred is a true zero."""
        return self.margins[dimension].get(value, ZERO)


ZERO = Published(0, "0")
EMPTY = Release(total=ZERO, margins={d: {} for d in DIMENSIONS}, crosses={pair: {} for pair in CROSSES})


def protection_level(threshold: int) -> int:
    """How many values either side of a hidden small count a reader must not be able to rule out (3 for 10)."""
    return max(1, (threshold - 1) // 3)


def is_settled(last_day: dt.date, today: dt.date) -> bool:
    """A period ending on ``last_day`` can be released: no event for it can still be accepted."""
    return today > last_day + dt.timedelta(days=LATE_EVENT_DAYS)


def cross_name(pair: tuple[str, str]) -> str:
    """The figure-key name of a cross table, e.g. ``gemeente*target``."""
    return "*".join(pair)


def exact_figures(counts: Mapping[Cell, int]) -> dict[FigureKey, int]:
    """Every figure of the release, exactly: the total, each margin value and each cross pair."""
    figures: dict[FigureKey, int] = defaultdict(int)
    for cell, n in counts.items():
        if n <= 0:
            continue
        figures[("total", ())] += n
        for index, dimension in enumerate(DIMENSIONS):
            figures[(dimension, (cell[index],))] += n
        for pair in CROSSES:
            values = tuple(cell[DIMENSIONS.index(d)] for d in pair)
            figures[(cross_name(pair), values)] += n
    return dict(figures)


class _Model:
    """The reader's unknowns: counts per (gemeente, target, helpful), per topic and per channel.

    Modelling these three groups, tied by equal totals, is exact for the figures released: every published
    figure is a sum within one group, and any three groups with equal totals are the margins of some full
    table of events. Unknowns that a published zero rules out are left out.
    """

    def __init__(self, figures: Mapping[FigureKey, int]) -> None:
        self.index: dict[tuple[str, tuple[Value, ...]], int] = {}
        cube: list[tuple[Value, ...]] = []
        for (name, values), n in figures.items():
            if name == "gemeente*target" and n > 0:
                for (other, hv), m in figures.items():
                    if other == "gemeente*helpful" and m > 0 and hv[0] == values[0]:
                        cube.append((values[0], values[1], hv[1]))
        for key in sorted(cube, key=str):
            self.index[("cube", key)] = len(self.index)
        for dimension in ("topic", "channel"):
            for (name, values), n in sorted(figures.items(), key=str):
                if name == dimension and n > 0:
                    self.index[(dimension, values)] = len(self.index)
        self.groups = {
            group: tuple(i for (g, _), i in self.index.items() if g == group)
            for group in ("cube", "topic", "channel")
        }

    def variables(self, key: FigureKey) -> tuple[int, ...]:
        name, values = key
        if name == "total":
            return self.groups["cube"]
        if name in ("topic", "channel"):
            found = self.index.get((name, values))
            return () if found is None else (found,)
        positions = [DIMENSIONS.index(d) for d in name.split("*")] if "*" in name else [DIMENSIONS.index(name)]
        wanted = dict(zip([_CUBE.index(p) for p in positions], values, strict=True))
        return tuple(
            i
            for (group, cell), i in self.index.items()
            if group == "cube" and all(cell[k] == v for k, v in wanted.items())
        )

    def equal_sums(self) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        cube = self.groups["cube"]
        return [(cube, self.groups[g]) for g in ("topic", "channel") if self.groups[g] or cube]


def _interval(value: int, status: Status, threshold: int, base: int) -> tuple[float, float]:
    """What a reader knows about a figure from how it is shown."""
    if status == "small":
        return 1.0, float(threshold - 1)
    if status == "secondary":  # "x": some count, never zero (zeros are always shown)
        return 1.0, math.inf
    if base <= 1:
        return float(value), float(value)
    shown = round_to_base(value, base)
    return float(max(threshold, shown - base // 2)), float(shown + (base - 1) // 2)


def choose_statuses(figures: Mapping[FigureKey, int], *, threshold: int, base: int) -> dict[FigureKey, Status]:
    """Primary suppression, then secondary suppression until the audit finds every small count safe.

    A small count ``a`` is safe when a reader cannot rule out any value within ``protection_level(threshold)``
    of it: the interval they can derive reaches down to ``a - level`` (or to its floor) and up to ``a + level``
    (or to threshold-1). The floor is 1, or, for a sum of several counts, the least it can be with every figure
    hidden (three counts that occurred sum to at least 3; the zeros show that much anyway).

    Each end of each small count needs a witness: a point that fits everything published where that count is
    at most 1 (low end) or at least threshold-1 (high end). One linear programme's optimum usually witnesses
    many ends at once, so the audit first pushes all open ends together, then one by one; an end that cannot be
    reached is pinned, and the smallest shown figure that pins it is hidden. Hiding only relaxes what a reader
    knows, so a witness stays valid after later suppressions.
    """
    status: dict[FigureKey, Status] = {}
    for key, n in figures.items():
        status[key] = "zero" if n == 0 else "small" if n < threshold else "shown"
    if threshold <= 1:
        return status
    model = _Model(figures)
    keys = [k for k, n in figures.items() if n > 0]
    variables = {k: model.variables(k) for k in keys}
    small = sorted((k for k in keys if status[k] == "small"), key=str)
    open_ends = {(k, end) for k in small for end in ("low", "high")}

    def problem() -> Problem:
        return Problem(
            size=len(model.index),
            figures=[Figure(variables[k], *_interval(figures[k], status[k], threshold, base)) for k in keys],
            equal_sums=model.equal_sums(),
        )

    floor: dict[FigureKey, float] = {}
    level = protection_level(threshold)

    def goal(key: FigureKey, end: str) -> float:
        if end == "high":
            return float(min(threshold - 1, figures[key] + level))
        return float(max(floor.get(key, 1.0), figures[key] - level))

    def reached(key: FigureKey, end: str, value: float) -> bool:
        return value <= goal(key, end) + _TOLERANCE if end == "low" else value >= goal(key, end) - _TOLERANCE

    def witness(point: np.ndarray | None) -> None:
        if point is None:
            return
        for key, end in list(open_ends):
            if reached(key, end, float(sum(point[i] for i in variables[key]))):
                open_ends.discard((key, end))

    for end in ("low", "high"):
        batch = [(i, 1.0) for key, e in open_ends if e == end for i in variables[key]]
        if batch:
            witness(extreme(problem(), batch, maximise=end == "high").point)
    everything_hidden = Problem(
        size=len(model.index),
        figures=[Figure(variables[k], 1.0, math.inf) for k in keys],
        equal_sums=model.equal_sums(),
    )
    for key, end in sorted(open_ends, key=str):
        if end == "low":
            floor[key] = extreme(everything_hidden, [(i, 1.0) for i in variables[key]], maximise=False).value
    for key, end in sorted(open_ends, key=str):
        while (key, end) in open_ends:
            found = extreme(problem(), [(i, 1.0) for i in variables[key]], maximise=end == "high")
            witness(found.point)
            if reached(key, end, found.value):
                open_ends.discard((key, end))
                break
            status[_next_to_hide(found.pinning, keys, status, figures, variables)] = "secondary"
    return status


def _next_to_hide(
    pinning: frozenset[int],
    keys: list[FigureKey],
    status: dict[FigureKey, Status],
    figures: Mapping[FigureKey, int],
    variables: Mapping[FigureKey, tuple[int, ...]],
) -> FigureKey:
    """The figure to hide next: a shown one that pins the end, the smallest first; else a small one that pins it
    (its "<10" becomes "x", which drops the upper bound); else any shown, then any small one.

    Several small counts can pin each other: four "<10" cells under a "<10" total cannot all be 9. Turning one
    "<10" into "x" is then the least that helps. With every figure "x", nothing is bounded, so the loop ends.
    """
    binding = [keys[i] for i in pinning]
    for pool in (
        [k for k in binding if status[k] == "shown"],
        [k for k in binding if status[k] == "small"],
        [k for k in keys if status[k] == "shown"],
        [k for k in keys if status[k] == "small"],
    ):
        if pool:
            return min(pool, key=lambda k: (figures[k], len(variables[k]), str(k)))
    raise AssertionError("every figure is hidden and a small count is still pinned")


def _published(value: int, status: Status, threshold: int, base: int) -> Published:
    if status == "small":
        return Published(None, f"<{threshold}", "small")
    if status == "secondary":
        return Published(None, SECONDARY_MARK, "secondary")
    shown = round_to_base(value, base)
    return Published(shown, str(shown))


def protect_period(counts: Mapping[Cell, int], *, threshold: int = 10, base: int = 5) -> Release:
    """The protected release for one kind and one settled period.

    Args:
        counts: Exact event counts per combination of DIMENSIONS values.
        threshold: Counts from 1 to ``threshold - 1`` are hidden.
        base: Published counts are rounded to a multiple of this (0 or 1: no rounding); must divide threshold.

    Returns:
        Every figure, protected together.
    """
    if base > 1 and threshold % base != 0:
        raise ValueError("threshold must be a multiple of the rounding base")
    figures = exact_figures(counts)
    figures.setdefault(("total", ()), 0)
    status = choose_statuses(figures, threshold=threshold, base=base)
    margins: dict[str, dict[Value, Published]] = {d: {} for d in DIMENSIONS}
    crosses: dict[tuple[str, str], dict[tuple[Value, Value], Published]] = {pair: {} for pair in CROSSES}
    by_name = {cross_name(pair): pair for pair in CROSSES}
    total = ZERO
    for key, n in figures.items():
        published = _published(n, status[key], threshold, base)
        name, values = key
        if name == "total":
            total = published
        elif name in by_name:
            crosses[by_name[name]][(values[0], values[1])] = published
        else:
            margins[name][values[0]] = published
    return Release(total=total, margins=margins, crosses=crosses)
