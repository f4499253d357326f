"""Errors over MCP: the same `{"error": …}` bodies and time budget as the webhooks, and no call without the secret."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp import MCPError
from mcp_gateway import CALLS, SECRET, Connect, mcp_connect

from service.tools import schemas as s


def error_of(result: types.CallToolResult) -> Any:
    """The error body of a failed call: `isError`, and the same body as text and as structured content."""
    assert result.is_error is True
    [content] = result.content
    assert isinstance(content, types.TextContent)
    assert json.loads(content.text) == result.structured_content
    return result.structured_content


def leaves(group: BaseException) -> list[BaseException]:
    if isinstance(group, BaseExceptionGroup):
        return [leaf for inner in group.exceptions for leaf in leaves(inner)]
    return [group]


async def test_unknown_object_is_the_webhook_error(connect: Connect, webhooks: httpx2.AsyncClient) -> None:
    """An object outside the allow-list: a tool result with isError and the webhook's 422 body."""
    call = CALLS["unknown_object"]
    async with connect() as session:
        result = await session.call_tool(s.GET_TOOL, call)
    hook = await webhooks.get(s.GET_PATH.format(**call))
    assert hook.status_code == 422
    assert error_of(result) == hook.json()
    assert hook.json()["error"]["code"] == "unknown_object"


async def test_invalid_arguments_are_the_webhook_validation_error(
    connect: Connect, webhooks: httpx2.AsyncClient
) -> None:
    """An empty query fails validation with the webhook's sentence and field name."""
    async with connect() as session:
        result = await session.call_tool(s.SEARCH_TOOL, CALLS["empty_query"])
    hook = await webhooks.get(s.SEARCH_PATH, params=CALLS["empty_query"])
    assert hook.status_code == 422
    assert error_of(result) == hook.json()


async def test_missing_required_field_is_the_webhook_error(connect: Connect, webhooks: httpx2.AsyncClient) -> None:
    """A create without the Lead's required fields names them, as the webhook does."""
    call = CALLS["missing_field"]
    async with connect() as session:
        result = await session.call_tool(s.CREATE_TOOL, call)
    hook = await webhooks.post(s.CREATE_PATH.format(object_type="Lead"), json=call["record_data"])
    assert hook.status_code == 422
    assert error_of(result) == hook.json()


async def test_unknown_tool_is_a_speakable_error(connect: Connect) -> None:
    """A tool name that doesn't exist: isError, naming the three that do."""
    async with connect() as session:
        result = await session.call_tool("salesforce_delete_record", {})
    assert error_of(result)["error"]["message"].endswith(f"use {s.SEARCH_TOOL}, {s.GET_TOOL}, {s.CREATE_TOOL}.")


async def test_slow_org_answers_the_budget_timeout(embedded_org: Any, serve_gateway: Any) -> None:
    """With the org slower than the budget, MCP and webhook both answer the timeout sentence in the same budget."""
    url = serve_gateway(embedded_org, tool_timeout=0.5)
    embedded_org.state.config.latency_ms = 700  # once the gateway has started (and cached the schema)
    async with mcp_connect(url)() as session:
        result = await session.call_tool(s.GET_TOOL, CALLS["get"])
    async with httpx2.AsyncClient(base_url=url, headers={"X-Webhook-Secret": SECRET}) as webhooks:
        hook = await webhooks.get(s.GET_PATH.format(**CALLS["get"]))
    assert hook.status_code == 504
    assert error_of(result) == hook.json()


async def test_no_secret_is_refused_before_the_sdk(gateway_url: str) -> None:
    """Without the bearer secret `/mcp` answers 401 with the gateway's error body and WWW-Authenticate."""
    async with httpx2.AsyncClient() as http:
        r = await http.post(gateway_url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        wrong = await http.post(
            gateway_url + "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Authorization": "Bearer nope"},
        )
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthorized"
    assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "Wrong webhook secret."


async def test_mcp_client_without_the_secret_cannot_connect(connect: Connect) -> None:
    """The official client without the secret fails at initialize: no tool is listed or called."""
    with pytest.raises(BaseExceptionGroup) as raised:
        async with connect({}):
            pass
    assert any(isinstance(leaf, MCPError) for leaf in leaves(raised.value))
