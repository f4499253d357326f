"""Bounded exponential backoff with full jitter, shared by the token manager and the client."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, *, base: float = 0.2, cap: float = 2.0) -> float:
    """Delay before retry number `attempt` (0-based): uniform in [base/2, min(cap, base·2^attempt)]."""
    ceiling = min(cap, base * (2**attempt))
    return random.uniform(min(base / 2, ceiling), ceiling)  # jitter, not crypto
