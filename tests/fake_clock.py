"""A clock that tests move by hand, for code that takes ``clock=`` (a callable returning seconds).

Standard library only: tests in both runtimes import it.
"""

from __future__ import annotations


class Clock:
    """Returns ``now`` when called; a test sets or adds to ``now`` to let time pass."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
