"""Counters the embedded org exposes at `GET /_org/stats` for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Thread-safe request counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.token_requests = 0
        self.api_requests = 0
        self.by_route: Counter[str] = Counter()

    def token_request(self) -> None:
        """Count one call of the token endpoint."""
        with self._lock:
            self.token_requests += 1

    def api_request(self, route: str) -> None:
        """Count one authenticated REST call."""
        with self._lock:
            self.api_requests += 1
            self.by_route[route] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counters as JSON-able data."""
        with self._lock:
            return {
                "token_requests": self.token_requests,
                "api_requests": self.api_requests,
                "requests_by_kind": dict(self.by_route),
            }
