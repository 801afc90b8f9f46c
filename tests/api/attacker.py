"""An attacker who knows every figure of a release and solves for hidden counts.

Written apart from api/release.py and api/audit.py on purpose: it models the full table of events (every
combination of topic, target, municipality, channel and helpfulness), not release.py's reduced model, and
builds its own linear programmes, so a mistake in the release's reasoning is not repeated here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np
from scipy.optimize import linprog

from api.release import CROSSES, DIMENSIONS, Release
from api.suppression import Published

Combination = tuple[str | None, ...]


def published_figures(release: Release) -> Iterator[tuple[dict[int, str | None], Published]]:
    """Every figure of the release as (the dimension values it fixes, what is shown)."""
    yield {}, release.total
    for dimension, figures in release.margins.items():
        for value, shown in figures.items():
            yield {DIMENSIONS.index(dimension): value}, shown
    for pair, figures in release.crosses.items():
        for values, shown in figures.items():
            yield {DIMENSIONS.index(pair[0]): values[0], DIMENSIONS.index(pair[1]): values[1]}, shown


def _known_interval(shown: Published, threshold: int, base: int) -> tuple[float, float]:
    if shown.hidden == "small":
        return 1, threshold - 1
    if shown.hidden == "secondary":
        return 1, math.inf  # "x" is some count that is not zero
    assert shown.count is not None
    if shown.count == 0:
        return 0, 0
    if base <= 1:
        return shown.count, shown.count
    return max(threshold, shown.count - base // 2), shown.count + (base - 1) // 2


def attack(
    release: Release, vocabulary: Sequence[Sequence[str | None]], *, threshold: int, base: int
) -> list[tuple[dict[int, str | None], float, float, float]]:
    """For every figure shown as "<threshold": the smallest and largest value the attacker can derive, and the
    floor, the smallest value it could have if every figure were hidden (what the zeros alone tell).

    ``vocabulary`` lists, per dimension in DIMENSIONS order, every value the attacker considers possible.
    Values a release does not list are zero (the release lists every value that occurred).
    """
    combinations: list[Combination] = list(itertools.product(*vocabulary))
    rows, limits = [], []
    figures = list(published_figures(release))
    listed = {
        d: set(release.margins[name]) for d, name in enumerate(DIMENSIONS)
    }  # an unlisted value of a margin is a published zero
    for combination in combinations:
        if any(combination[d] not in listed[d] for d in listed):
            row = np.array([1.0 if c == combination else 0.0 for c in combinations])
            rows.append(row)
            limits.append(0.0)
    zero_rows, zero_limits = list(rows), list(limits)
    for fixed, shown in figures:
        member = np.array([1.0 if all(c[d] == v for d, v in fixed.items()) else 0.0 for c in combinations])
        low, high = _known_interval(shown, threshold, base)
        if math.isfinite(high):
            rows.append(member)
            limits.append(high)
        rows.append(-member)
        limits.append(-low)
        if shown.count != 0:
            zero_rows.append(-member)
            zero_limits.append(-1.0)
    a_ub, b_ub = np.array(rows), np.array(limits)
    found = []
    for fixed, shown in figures:
        if shown.hidden != "small":
            continue
        member = np.array([1.0 if all(c[d] == v for d, v in fixed.items()) else 0.0 for c in combinations])
        ends = []
        for sign in (1.0, -1.0):
            solved = linprog(sign * member, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
            assert solved.status in (0, 3), solved.message
            ends.append(math.inf if solved.status == 3 else sign * solved.fun)
        floor = linprog(
            member, A_ub=np.array(zero_rows), b_ub=np.array(zero_limits), bounds=(0, None), method="highs"
        )
        found.append((fixed, ends[0], ends[1], float(floor.fun)))
    return found


__all__ = ["CROSSES", "attack", "published_figures"]
