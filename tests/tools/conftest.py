"""Wiring for gateway tests: the real app (lifespan and all) against a running embedded org."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings

SECRET = "test-webhook-secret-0123456789"


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
def make_gateway() -> Callable[..., Any]:
    """Factory: an async context manager yielding (client, app) for an org and settings overrides."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(org: Any, **overrides: Any) -> AsyncIterator[tuple[httpx2.AsyncClient, Any]]:
        app = create_app(gateway_settings(org, **overrides))
        async with LifespanManager(app) as manager:
            transport = httpx2.ASGITransport(app=manager.app)
            async with httpx2.AsyncClient(
                transport=transport,
                base_url="http://gateway",
                headers={"X-Webhook-Secret": SECRET},
                timeout=30.0,
            ) as client:
                yield client, app

    return make


@pytest.fixture
async def gateway(embedded_org: Any, make_gateway: Callable[..., Any]) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of the gateway app (secret header set) on a fresh embedded org."""
    async with make_gateway(embedded_org) as (client, _app):
        yield client
