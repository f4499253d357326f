"""Wiring for the MCP tests: a real gateway served by uvicorn on loopback (the embedded org behind
it), reached with the official `mcp` client over Streamable HTTP and with httpx2 for the webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2
import pytest
from mcp_gateway import SECRET, Connect, gateway_settings, mcp_connect

from service.app import create_app
from service.runner.stack import ServerThread


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


@pytest.fixture
def connect(gateway_url: str) -> Connect:
    """Connect to the running gateway's `/mcp` (bearer secret unless other headers are given)."""
    return mcp_connect(gateway_url)


@pytest.fixture
async def webhooks(gateway_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client of the same gateway's webhook routes, secret set."""
    async with httpx2.AsyncClient(base_url=gateway_url, headers={"X-Webhook-Secret": SECRET}, timeout=30.0) as client:
        yield client
