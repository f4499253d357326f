"""Flattening Salesforce records for agents: no `attributes`, lookups as names."""

from __future__ import annotations

from typing import Any


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """A record without `attributes`; a parent whose only field is Name becomes that name.

    `{"Account": {"attributes": ..., "Name": "Acme"}}` → `{"Account": "Acme"}`;
    `{"Account": {"Name": "Acme", "Type": "Customer"}}` → `{"Account": {"Name": ..., "Type": ...}}`;
    child subqueries (`{"totalSize", "records"}`) become a list of flattened rows.
    """
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        out[key] = _flatten_value(value)
    return out


def _flatten_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "records" in value and "totalSize" in value:
        return [flatten(row) for row in value.get("records") or []]
    inner = flatten(value)
    if set(inner) == {"Name"}:
        return inner["Name"]
    return inner


def record_name(record: dict[str, Any], name_field: str = "Name") -> str | None:
    """The record's name for speech (Name, CaseNumber, or First + Last)."""
    value = record.get(name_field)
    if isinstance(value, str) and value.strip():
        return value.strip()
    parts = [record.get("FirstName"), record.get("LastName")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    if joined:
        return joined
    for key in ("Subject", "Name", "CaseNumber"):
        other = record.get(key)
        if isinstance(other, str) and other.strip():
            return other.strip()
    return None


def parent_name(value: Any) -> str | None:
    """The name of a flattened lookup (a string, or an object with Name)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        name = value.get("Name")
        return name if isinstance(name, str) else None
    return None
