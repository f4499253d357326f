"""`Sforce-Limit-Info` parsing: the org's rolling 24 h API usage, recorded after every call."""

from __future__ import annotations

import re
from dataclasses import dataclass

_API_USAGE = re.compile(r"(?:^|[,;\s])api-usage=(\d+)/(\d+)")
_PER_APP = re.compile(r"per-app-api-usage=(\d+)/(\d+)\(appName=([^)]*)\)")


@dataclass(frozen=True)
class ApiUsage:
    """Requests used and allowed in the org's rolling 24 hours (and per app, when sent)."""

    used: int
    limit: int
    app_used: int | None = None
    app_limit: int | None = None
    app_name: str | None = None

    @property
    def fraction(self) -> float:
        """Share of the allowance used (0.0–1.0+)."""
        return self.used / self.limit if self.limit else 0.0


def parse_limit_info(header: str | None) -> ApiUsage | None:
    """`api-usage=51/100000[, per-app-api-usage=17/250(appName=x)]` → `ApiUsage`; None if absent."""
    if not header:
        return None
    match = _API_USAGE.search(header)
    if not match:
        return None
    app = _PER_APP.search(header)
    return ApiUsage(
        used=int(match.group(1)),
        limit=int(match.group(2)),
        app_used=int(app.group(1)) if app else None,
        app_limit=int(app.group(2)) if app else None,
        app_name=app.group(3) if app else None,
    )
