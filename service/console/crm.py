"""The CRM view: what a person types in the search box, as the one SOQL SELECT the search tool takes, and
the read-only tool calls the console makes for itself."""

from __future__ import annotations

import secrets
from typing import Any

from service.runner.base import GET, SEARCH
from service.runner.webhooks import WebhookExecutor
from service.soql.quoting import format_query

# Per object: the fields shown and the fields the words are matched against (LIKE, any of them).
OBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Lead": ("Id, Name, Email, Phone, Company, Title, Status", ("Name", "Email", "Company")),
    "Contact": ("Id, Name, Email, Phone, Title, Account.Name", ("Name", "Email")),
    "Account": ("Id, Name, Industry, Phone, NumberOfEmployees", ("Name",)),
    "Opportunity": ("Id, Name, StageName, Amount, CloseDate, Account.Name", ("Name",)),
}


def crm_query(object_type: str, text: str) -> str:
    """A SELECT typed in as is; otherwise a LIKE search of `object_type`'s name-like fields for `text`."""
    words = text.strip()
    if not words:
        raise ValueError("type a name, an email or a company to search for")
    if words[:7].upper() == "SELECT ":
        return words
    if object_type not in OBJECTS:
        raise ValueError(f"search one of {', '.join(OBJECTS)}")
    fields, matched = OBJECTS[object_type]
    where = " OR ".join(f"{name} LIKE '%{{:like}}%'" for name in matched)  # the words stay literal text
    template = f"SELECT {fields} FROM {object_type} WHERE {where} ORDER BY CreatedDate DESC LIMIT 20"
    return format_query(template, *([words] * len(matched)))


async def read_tool(executor: WebhookExecutor, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run the search or get tool for the console itself; the answer as the agent would get it, plus its speech."""
    if name not in (SEARCH, GET):
        raise ValueError(f"the console only reads: {SEARCH} or {GET}")
    variables = {"system__conversation_id": f"console-{secrets.token_hex(4)}"}
    result = await executor.call(name, params, variables)
    return {
        "ok": result.ok,
        "status": result.status,
        "speech": result.speech(),
        "latency_ms": round(result.latency_ms, 1),
        "data": result.for_agent,
    }
