"""What the console's live view is told about a tool call: the call itself, its answer's speech, and the
records it touched (so the page can open them with the get tool)."""

from __future__ import annotations

from typing import Any

from service.runner.session import ToolEvent

# Salesforce key prefixes → object type, to open a record the call touched with the get tool.
PREFIXES = {"00Q": "Lead", "003": "Contact", "001": "Account", "006": "Opportunity", "500": "Case"}


def touched_ids(result: Any) -> list[str]:
    """Record ids in a tool result (a create's `id`, a search's `records`, a duplicate's `existing`)."""
    if not isinstance(result, dict):
        return []
    ids: list[str] = []
    for key in ("id", "Id"):
        if isinstance(result.get(key), str):
            ids.append(result[key])
    existing = result.get("existing")
    if isinstance(existing, dict) and isinstance(existing.get("id"), str):
        ids.append(existing["id"])
    for row in result.get("records") or []:
        if isinstance(row, dict) and isinstance(row.get("Id"), str):
            ids.append(row["Id"])
    return [i for i in dict.fromkeys(ids) if i[:3] in PREFIXES]


def speech_of(result: Any) -> str | None:
    """The sentence the gateway gave the agent to speak (or its error message)."""
    if not isinstance(result, dict):
        return None
    if isinstance(result.get("speech"), str):
        return str(result["speech"])
    error = result.get("error")
    return str(error["message"]) if isinstance(error, dict) and isinstance(error.get("message"), str) else None


def tool_message(tool: ToolEvent) -> dict[str, Any]:
    """The live view's `tool` message for a finished tool call."""
    return {
        "type": "tool",
        "name": tool.name,
        "params": tool.params,
        "ok": tool.ok,
        "status": tool.status,
        "latency_ms": round(tool.latency_ms, 1),
        "speech": speech_of(tool.result),
        "records": [{"object": PREFIXES[i[:3]], "id": i} for i in touched_ids(tool.result)],
    }
