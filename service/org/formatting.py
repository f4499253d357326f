"""`FORMAT(field)` values as Salesforce renders them for the org's user (en_US, USD corporate currency).

Currency `$199,000.00`, numbers `1,200` / `1,234.5`, percent `10%`, date `6/30/2025`, dateTime
`6/30/2025 10:00 AM` in the org's time zone; other types are returned unchanged. Digit grouping is
Python's format specification; no locale database is needed for the one locale the org speaks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from service.schema import SField


def format_value(f: SField, value: Any, tz: str) -> Any:
    """The FORMAT() rendering of a stored value of field `f` (None stays None)."""
    if value is None:
        return None
    if f.type == "currency":
        return f"-${abs(value):,.2f}" if value < 0 else f"${value:,.2f}"
    if f.type == "percent":
        return f"{value:,.{f.scale}f}%" if f.scale else f"{value:,.0f}%"
    if f.type in ("int", "double"):
        return f"{value:,.{f.scale}f}" if f.type == "double" and f.scale else f"{int(value):,}"
    if f.type == "date":
        day = date.fromisoformat(str(value)[:10])
        return f"{day.month}/{day.day}/{day.year}"
    if f.type == "datetime":
        moment = datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(ZoneInfo(tz))
        hour = moment.hour % 12 or 12
        return (
            f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
        )
    return value
