"""A time budget that shrinks as work is done, shared by every layer of one tool call."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    """An absolute point on the monotonic clock."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """A deadline `seconds` from now."""
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        """True once no time is left."""
        return time.monotonic() >= self.at

    def cap(self, seconds: float) -> float:
        """`seconds`, or what is left if that is less (for per-attempt timeouts)."""
        return min(seconds, self.remaining())
