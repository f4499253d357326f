"""The three tools over MCP (official client, Streamable HTTP, real gateway on loopback) answer as the webhooks do."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import mcp_types as types
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_gateway import CALLS, SECRET, Connect, conversation_headers
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from service.tools import schemas as s


def leads(org: Any) -> int:
    return int(org.stats()["records"]["Lead"])


def answer(result: types.CallToolResult) -> Any:
    """The structured answer, checked to equal the text content (clients that read only text get the same)."""
    [content] = result.content
    assert isinstance(content, types.TextContent)
    assert json.loads(content.text) == result.structured_content
    return result.structured_content


async def webhook_search(webhooks: httpx2.AsyncClient, q: str) -> httpx2.Response:
    return await webhooks.get(s.SEARCH_PATH, params={"q": q})


async def webhook_create(webhooks: httpx2.AsyncClient, call: dict[str, Any], conversation: str) -> httpx2.Response:
    url = s.CREATE_PATH.format(object_type=call["object_type"])
    params = {"dry_run": "true"} if call.get("dry_run") else {}
    return await webhooks.post(
        url, json=call["record_data"], params=params, headers={"X-Conversation-Id": conversation}
    )


async def test_lists_the_three_tools_with_their_annotations(connect: Connect) -> None:
    """tools/list: the webhook names; search and get read-only, create a non-read-only idempotent write."""
    async with connect() as session:
        listed = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert list(listed) == [s.SEARCH_TOOL, s.GET_TOOL, s.CREATE_TOOL]
    for name in (s.SEARCH_TOOL, s.GET_TOOL):
        annotations = listed[name].annotations
        assert annotations is not None and annotations.read_only_hint is True
    create = listed[s.CREATE_TOOL].annotations
    assert create is not None and create.read_only_hint is False and create.idempotent_hint is True
    assert listed[s.SEARCH_TOOL].description == s.SEARCH_DESCRIPTION


async def test_input_schemas_come_from_the_webhook_request_models(connect: Connect) -> None:
    """The create tool's record_data is `CreateFields`; object_type lists the allow-list's createable objects."""
    async with connect() as session:
        listed = {tool.name: tool for tool in (await session.list_tools()).tools}
    schema = listed[s.CREATE_TOOL].input_schema
    assert schema["required"] == ["object_type", "record_data"]
    assert schema["properties"]["object_type"]["enum"] == ["Lead", "Contact", "Account", "Opportunity", "Case"]
    fields = schema["$defs"]["CreateFields"]["properties"]
    assert list(fields) == list(s.CreateFields.model_fields)
    assert fields["Email"]["description"] == s.CreateFields.model_fields["Email"].description
    assert listed[s.SEARCH_TOOL].input_schema["properties"]["q"]["maxLength"] == 4000


async def test_search_answers_as_the_webhook(connect: Connect, webhooks: httpx2.AsyncClient) -> None:
    """A search over MCP gives the webhook's JSON answer, repaired query and all."""
    for call in (CALLS["search"], CALLS["search_repaired"]):
        async with connect() as session:
            result = await session.call_tool(s.SEARCH_TOOL, call)
        hook = await webhook_search(webhooks, call["q"])
        assert hook.status_code == 200 and not result.is_error
        assert answer(result) == hook.json()
    assert hook.json()["changes"], "the second query is one the gateway repairs"


async def test_get_answers_as_the_webhook(connect: Connect, webhooks: httpx2.AsyncClient) -> None:
    """A get over MCP gives the webhook's JSON answer."""
    call = CALLS["get"]
    async with connect() as session:
        result = await session.call_tool(s.GET_TOOL, call)
    hook = await webhooks.get(s.GET_PATH.format(**call))
    assert hook.status_code == 200 and not result.is_error
    assert answer(result) == hook.json()


async def test_create_dry_run_answers_as_the_webhook(
    connect: Connect, webhooks: httpx2.AsyncClient, embedded_org: Any
) -> None:
    """A dry-run create over MCP gives the webhook's answer (normalised email and phone) and writes nothing."""
    call = {**CALLS["create"], "dry_run": True}
    before = leads(embedded_org)
    async with connect(conversation_headers("conv-dry")) as session:
        result = await session.call_tool(s.CREATE_TOOL, call)
    hook = await webhook_create(webhooks, call, "conv-dry")
    assert hook.status_code == 200 and not result.is_error
    assert answer(result) == hook.json()
    assert answer(result)["fields"]["Email"] == "maya.quill@quilllogistics.com"
    assert leads(embedded_org) == before


async def test_create_then_webhook_repeat_in_one_conversation_is_one_record(
    connect: Connect, webhooks: httpx2.AsyncClient, embedded_org: Any
) -> None:
    """A create over MCP, repeated as a webhook with the same conversation id, answers the first result once."""
    before = leads(embedded_org)
    async with connect(conversation_headers("conv-x")) as session:
        result = await session.call_tool(s.CREATE_TOOL, CALLS["create"])
    hook = await webhook_create(webhooks, CALLS["create"], "conv-x")
    assert answer(result)["created"] is True
    assert hook.json() == answer(result)
    assert leads(embedded_org) == before + 1


async def test_same_create_twice_with_one_conversation_header_is_one_record(
    connect: Connect, embedded_org: Any
) -> None:
    """Two identical creates with one X-Conversation-Id: one record, the same answer twice."""
    before = leads(embedded_org)
    async with connect(conversation_headers("conv-h")) as session:
        first = await session.call_tool(s.CREATE_TOOL, CALLS["create"])
        second = await session.call_tool(s.CREATE_TOOL, CALLS["create"])
    assert answer(first)["created"] is True
    assert answer(second) == answer(first)
    assert leads(embedded_org) == before + 1


async def test_conversation_id_from_meta_makes_the_repeat_safe(connect: Connect, embedded_org: Any) -> None:
    """Without the header, `_meta.conversation_id` of tools/call identifies the conversation."""
    before = leads(embedded_org)
    async with connect() as session:
        first = await session.call_tool(s.CREATE_TOOL, CALLS["create"], meta={"conversation_id": "conv-m"})
        second = await session.call_tool(s.CREATE_TOOL, CALLS["create"], meta={"conversation_id": "conv-m"})
    assert answer(first)["created"] is True
    assert answer(second) == answer(first)
    assert leads(embedded_org) == before + 1


async def test_fifty_concurrent_calls_answer_without_errors(connect: Connect) -> None:
    """50 concurrent tools/call requests (searches and gets) on one session: 50 answers, 0 errors."""
    calls = [(s.SEARCH_TOOL, CALLS["search"]) if i % 2 else (s.GET_TOOL, CALLS["get"]) for i in range(50)]
    async with connect() as session:
        results = await asyncio.gather(*(session.call_tool(name, args) for name, args in calls))
    assert [r.is_error for r in results] == [False] * 50
    assert {answer(r)["speech"] for r in results[1::2]} == {answer(results[1])["speech"]}


async def test_modern_protocol_client_gets_the_same_answers(gateway_url: str, webhooks: httpx2.AsyncClient) -> None:
    """`mcp.Client` in its default mode negotiates 2026-07-28 (per-request envelope) and gets the webhook answer."""
    async with (
        httpx2.AsyncClient(headers=conversation_headers("conv-modern"), timeout=30.0) as http,
        Client(streamable_http_client(gateway_url + "/mcp", http_client=http)) as client,
    ):
        assert client.protocol_version in MODERN_PROTOCOL_VERSIONS
        names = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool(s.SEARCH_TOOL, CALLS["search"])
    assert names == [s.SEARCH_TOOL, s.GET_TOOL, s.CREATE_TOOL]
    assert answer(result) == (await webhook_search(webhooks, CALLS["search"]["q"])).json()


async def test_mcp_calls_are_counted_with_the_tool_metrics(connect: Connect, webhooks: httpx2.AsyncClient) -> None:
    """/metrics counts an MCP search and an MCP error under the tool's own labels."""
    async with connect() as session:
        await session.call_tool(s.SEARCH_TOOL, CALLS["search"])
        await session.call_tool(s.GET_TOOL, CALLS["unknown_object"])
    text = (await webhooks.get("/metrics")).text
    assert f'gateway_tool_requests_total{{status="200",tool="{s.SEARCH_TOOL}"}} 1.0' in text
    assert f'gateway_tool_errors_total{{code="unknown_object",tool="{s.GET_TOOL}"}} 1.0' in text


async def test_modern_protocol_meta_conversation_id_makes_the_repeat_safe(gateway_url: str, embedded_org: Any) -> None:
    """On 2026-07-28 too, `_meta.conversation_id` (beside the reserved keys) makes a repeated create one record."""
    before = leads(embedded_org)
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {SECRET}"}, timeout=30.0) as http,
        Client(streamable_http_client(gateway_url + "/mcp", http_client=http)) as client,
    ):
        first = await client.call_tool(s.CREATE_TOOL, CALLS["create"], meta={"conversation_id": "conv-mm"})
        second = await client.call_tool(s.CREATE_TOOL, CALLS["create"], meta={"conversation_id": "conv-mm"})
    assert answer(first)["created"] is True
    assert answer(second) == answer(first)
    assert leads(embedded_org) == before + 1
