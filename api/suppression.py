"""How a protected count is shown, and the rounding rule. Pure, no I/O.

Which counts are hidden is decided in api/release.py (docs/api.md, "Suppression"): counts 1 to threshold-1
show as "<10", counts hidden so that a small one cannot be worked out show as "x", every published count is
rounded to a multiple of ``base``, and zero stays "0": a true zero discloses nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HiddenReason = Literal["small", "secondary", "partial"]
SECONDARY_MARK = "x"


@dataclass(frozen=True)
class Published:
    """A count as published: ``count`` is None when hidden, ``shown`` is the display text."""

    count: int | None
    shown: str
    hidden: HiddenReason | None = None


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
