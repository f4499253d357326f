"""The org's daily API allowance: counts data requests and refuses past the limit.

Every data response carries `Sforce-Limit-Info: api-usage=N/LIMIT`; once `N` would exceed the
limit the org answers 403 REQUEST_LIMIT_EXCEEDED. The count resets at UTC midnight.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from service.errors import SalesforceError
from service.org.errors import sf_error


class ApiLimits:
    """Thread-safe usage counter; `limit` may be changed at run time."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._day: date = datetime.now(UTC).date()
        self._lock = threading.Lock()

    def consume(self) -> int:
        """Count one request and return the usage; raises REQUEST_LIMIT_EXCEEDED past the limit."""
        with self._lock:
            today = datetime.now(UTC).date()
            if today != self._day:
                self._day, self.used = today, 0
            if self.used >= self.limit:
                raise exceeded()
            self.used += 1
            return self.used

    def header(self) -> str:
        """The `Sforce-Limit-Info` value."""
        return f"api-usage={self.used}/{self.limit}"

    def reset(self) -> None:
        """Start the day's count again."""
        with self._lock:
            self.used = 0


def exceeded() -> SalesforceError:
    """403 REQUEST_LIMIT_EXCEEDED, as a real org words it."""
    return sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
