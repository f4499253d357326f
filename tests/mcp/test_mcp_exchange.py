"""The single-exchange entry answers every handshake-era request exactly as the SDK's stateless manager does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp.shared.exceptions import NoBackChannelError
from mcp_gateway import SECRET
from pydantic import SecretStr
from starlette.requests import Request
from starlette.types import Message

from service.mcp import exchange
from service.mcp.endpoint import McpService, run_mcp
from service.mcp.server import _result
from service.settings import Settings

EXCHANGES: dict[str, Any] = json.loads((Path(__file__).parent / "exchanges.json").read_text())
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def scope(headers: dict[str, str]) -> dict[str, Any]:
    raw = [(name.encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": "POST", "path": "/mcp", "query_string": b"", "headers": raw}


async def by_manager(service: McpService, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """The answer of the SDK's stateless manager itself (per-request transport, streams and server task)."""
    sent: list[Message] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await service.manager.handle_request(scope(headers), receive, send)
    return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


async def by_exchange(service: McpService, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """The answer of the single-exchange entry (which must take the request)."""
    response = await exchange.answer(service.tools.server, service.tools.lifespan_state, Request(scope(headers)), body)
    assert response is not None, "the single-exchange entry left this request to the manager"
    return response.status_code, json.loads(bytes(response.body))


@pytest.mark.parametrize("name", list(EXCHANGES))
@pytest.mark.parametrize("version", ["2025-11-25", None])
async def test_answers_equal_the_sdk_stateless_manager(name: str, version: str | None) -> None:
    """Same request, same answer (status and JSON-RPC body) from the entry and from the SDK's manager."""
    settings = Settings(_env_file=None, webhook_secret=SecretStr(SECRET))  # type: ignore[call-arg]
    headers = HEADERS if version is None else {**HEADERS, "mcp-protocol-version": version}
    body = json.dumps(EXCHANGES[name]).encode()
    async with run_mcp(settings) as service:
        assert await by_exchange(service, body, headers) == await by_manager(service, body, headers)


def test_result_is_the_sdk_models_wire_form() -> None:
    """The tool answer's hand-built wire dict equals what the SDK dumps from a `CallToolResult`."""
    body = {"speech": "Ünïcode, “quotes” and 1.5", "records": [{"Id": "001", "n": 3}]}
    for error in (False, True):
        model = types.CallToolResult(
            content=[types.TextContent(type="text", text=json.dumps(body, ensure_ascii=False, separators=(",", ":")))],
            structured_content=body,
            is_error=error,
        )
        assert _result(body, error=error) == model.model_dump(by_alias=True, mode="json", exclude_none=True)


async def test_what_the_entry_leaves_gets_the_sdk_answers(gateway_url: str) -> None:
    """A notification, a body that isn't JSON, a batch, an Accept or a Content-Type not JSON: the SDK's answers."""
    auth = {"Authorization": f"Bearer {SECRET}", "Accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient(base_url=gateway_url, headers=auth) as http:
        note = await http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        garbled = await http.post("/mcp", content=b"{not json", headers={"Content-Type": "application/json"})
        batch = await http.post("/mcp", json=[EXCHANGES["ping"], EXCHANGES["tools_list"]])
        html = await http.post("/mcp", json=EXCHANGES["ping"], headers={"Accept": "text/html"})
        ping = json.dumps(EXCHANGES["ping"])
        text = await http.post("/mcp", content=ping, headers={"Content-Type": "text/plain"})
        patch = await http.post("/mcp", content=ping, headers={"Content-Type": "application/json-patch+json"})
    assert note.status_code == 202
    assert garbled.status_code == 400 and garbled.json()["error"]["code"] == types.PARSE_ERROR
    assert batch.status_code == 400
    assert html.status_code == 406
    assert (text.status_code, patch.status_code) == (400, 415)


async def test_a_body_over_the_limit_is_refused_before_the_sdk(embedded_org: Any, serve_gateway: Any) -> None:
    """A tools/call larger than MAX_BODY_BYTES: the gateway's 413, neither entry reads it."""
    url = serve_gateway(embedded_org, max_body_bytes=1024)
    call = {
        **EXCHANGES["invalid_arguments"],
        "params": {"name": "salesforce_search_records", "arguments": {"q": "x" * 2000}},
    }
    async with httpx2.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {SECRET}", **HEADERS}) as http:
        refused = await http.post("/mcp", json=call)
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "payload_too_large"


async def test_the_exchange_has_no_channel_back() -> None:
    """A request to the client is refused, a notification dropped, and nothing cancels the exchange."""
    context = exchange.SingleExchange(1, None)
    with pytest.raises(NoBackChannelError):
        await context.send_raw_request("roots/list", None)
    await context.notify("notifications/progress", {"progress": 1})
    assert context.can_send_request is False and not context.cancel_requested.is_set()
