"""Helpers of the MCP tests (imported by name: a module of its own, as `conftest` is ambiguous):
settings for a gateway in front of an org, the calls in `calls.json`, and an MCP client connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.tools.conftest import SECRET as SECRET  # the tool tests' secret and settings, re-exported
from tests.tools.conftest import gateway_settings as gateway_settings

CALLS: dict[str, Any] = json.loads((Path(__file__).parent / "calls.json").read_text())

Connect = Callable[..., Any]


def conversation_headers(conversation_id: str) -> dict[str, str]:
    """The bearer secret and a conversation id, as the platform would send them."""
    return {"Authorization": f"Bearer {SECRET}", "X-Conversation-Id": conversation_id}


def mcp_connect(url: str) -> Connect:
    """`async with connect(headers) as session`: an initialized MCP client session to `url`/mcp."""

    @asynccontextmanager
    async def connect(headers: dict[str, str] | None = None) -> AsyncIterator[ClientSession]:
        sent = {"Authorization": f"Bearer {SECRET}"} if headers is None else headers
        async with (
            httpx2.AsyncClient(headers=sent, timeout=30.0) as http,
            streamable_http_client(url + "/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session

    return connect
