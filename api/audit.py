"""The disclosure audit: how far a reader can narrow a hidden count from everything published beside it.

Each published figure is a sum of unknown non-negative counts, and what is shown about it bounds that sum: a
rounded number, "<10", "x" or 0. A reader who solves the linear programme "minimise / maximise this hidden sum
subject to every published bound" gets the tightest interval anyone can derive (Fischetti & Salazar, "Solving
the cell suppression problem on tabular data with linear constraints", Management Science 47(7), 2001; the
audit step of tau-ARGUS, Handbook on Statistical Disclosure Control, ch. 4). api/release.py keeps adding
suppressions until this interval keeps every value within the protection level of each small count.

Pure: no database, no I/O. scipy's HiGHS solves each programme.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


@dataclass(frozen=True)
class Figure:
    """A published figure: the variables it sums and the interval a reader knows it lies in."""

    variables: tuple[int, ...]
    low: float
    high: float  # math.inf when unbounded above


@dataclass(frozen=True)
class Problem:
    """A reader's knowledge: figures over ``size`` variables, and groups of variables with equal sums."""

    size: int
    figures: Sequence[Figure]
    equal_sums: Sequence[tuple[tuple[int, ...], tuple[int, ...]]] = ()


Matrices = tuple[np.ndarray, np.ndarray, list[int], np.ndarray | None, np.ndarray | None]


def _matrices(problem: Problem) -> Matrices:
    rows: list[np.ndarray] = []
    limits: list[float] = []
    owners: list[int] = []
    for index, figure in enumerate(problem.figures):
        row = np.zeros(problem.size)
        row[list(figure.variables)] = 1.0
        if math.isfinite(figure.high):
            rows.append(row)
            limits.append(figure.high)
            owners.append(index)
        if figure.low > 0:
            rows.append(-row)
            limits.append(-figure.low)
            owners.append(index)
    a_ub = np.array(rows) if rows else np.zeros((0, problem.size))
    b_ub = np.array(limits)
    if not problem.equal_sums:
        return a_ub, b_ub, owners, None, None
    equalities = []
    for left, right in problem.equal_sums:
        row = np.zeros(problem.size)
        row[list(left)] += 1.0
        row[list(right)] -= 1.0
        equalities.append(row)
    return a_ub, b_ub, owners, np.array(equalities), np.zeros(len(equalities))


@dataclass(frozen=True)
class Extreme:
    """One end of a linear programme: the optimum, a point that reaches it, and the figures that pin it."""

    value: float
    point: np.ndarray | None  # None when unbounded
    pinning: frozenset[int]


def extreme(problem: Problem, weights: Sequence[tuple[int, float]], maximise: bool) -> Extreme:
    """Minimise or maximise a weighted sum of variables subject to everything a reader knows.

    Raises:
        ValueError: The published figures contradict each other (a bug upstream: they come from real counts).
    """
    a_ub, b_ub, owners, a_eq, b_eq = _matrices(problem)
    objective = np.zeros(problem.size)
    for variable, weight in weights:
        objective[variable] += weight
    sign = -1.0 if maximise else 1.0
    solved = linprog(
        sign * objective,
        A_ub=a_ub if len(b_ub) else None,
        b_ub=b_ub if len(b_ub) else None,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0, None),
        method="highs",
    )
    if solved.status == 3:  # unbounded: only possible when maximising
        return Extreme(math.inf, None, frozenset())
    if solved.status != 0:
        raise ValueError(f"the published figures are inconsistent ({solved.message})")
    duals = solved.ineqlin.marginals if len(b_ub) else []
    pinning = frozenset(owners[k] for k, dual in enumerate(duals) if abs(dual) > 1e-9)
    return Extreme(sign * float(solved.fun), np.asarray(solved.x), pinning)
