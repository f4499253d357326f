"""Wiring for the MCP tests: a real gateway served by uvicorn on loopback (the embedded org behind
it), reached with the official `mcp` client over Streamable HTTP and with httpx2 for the webhooks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from service.app import create_app
from service.runner.stack import ServerThread
from service.settings import Settings

SECRET = "test-webhook-secret-0123456789"
CALLS: dict[str, Any] = json.loads((Path(__file__).parent / "calls.json").read_text())

Connect = Callable[..., Any]


def gateway_settings(org: Any, **overrides: Any) -> Settings:
    """Settings pointing the gateway at `org`, ignoring any .env or environment."""
    values: dict[str, Any] = {
        "sf_domain": org.url,
        "sf_client_id": org.client_id,
        "sf_client_secret": SecretStr(org.client_secret),
        "webhook_secret": SecretStr(SECRET),
        "sf_timeout": 5.0,
        "tool_timeout": 10.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def serve_gateway() -> Iterator[Callable[..., str]]:
    """`serve_gateway(org, **settings)` starts the gateway on 127.0.0.1:<ephemeral>; returns its URL."""
    running: list[ServerThread] = []

    def start(org: Any, **overrides: Any) -> str:
        server = ServerThread(create_app(gateway_settings(org, **overrides), configure_logs=False)).start()
        running.append(server)
        return server.url

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def gateway_url(embedded_org: Any, serve_gateway: Callable[..., str]) -> str:
    """A running gateway in front of a fresh embedded org."""
    return serve_gateway(embedded_org)


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


@pytest.fixture
def connect(gateway_url: str) -> Connect:
    """Connect to the running gateway's `/mcp` (bearer secret unless other headers are given)."""
    return mcp_connect(gateway_url)


@pytest.fixture
async def webhooks(gateway_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client of the same gateway's webhook routes, secret set."""
    async with httpx2.AsyncClient(base_url=gateway_url, headers={"X-Webhook-Secret": SECRET}, timeout=30.0) as client:
        yield client
