"""The committed tool JSON, executed as the platform would, works against the real gateway app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from service.app import create_app
from service.runner.webhooks import WebhookExecutor, load_tools
from service.settings import Settings
from service.tool_json.generate import CREATED_ID_VARIABLE

DEFINITIONS = Path(__file__).resolve().parents[2] / "tool_definitions"
SECRET = "e2e-webhook-secret-0123456789"


def _settings(org: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        sf_domain=org.url,
        sf_client_id=org.client_id,
        sf_client_secret=SecretStr(org.client_secret),
        webhook_secret=SecretStr(SECRET),
    )


@asynccontextmanager
async def _executor(org: Any) -> AsyncIterator[WebhookExecutor]:
    """The runner's webhook executor on the committed tool JSON, wired to the real gateway app."""
    async with LifespanManager(create_app(_settings(org))) as manager:
        executor = WebhookExecutor(
            load_tools(DEFINITIONS),
            base_url="http://gateway",
            secret=SECRET,
            transport=httpx2.ASGITransport(app=manager.app),
        )
        try:
            yield executor
        finally:
            await executor.aclose()


async def test_committed_search_tool_runs_through_the_gateway(embedded_org):
    """The search tool's q parameter and headers are what the gateway's search route takes."""
    async with _executor(embedded_org) as executor:
        found = await executor.call(
            "salesforce_search_records",
            {"q": "SELECT Id, Name, Email FROM Lead WHERE Email = 'nobody.e2e@example.com'"},
            {"system__conversation_id": "conv_e2e_0"},
        )
    assert found.ok, found.for_agent
    assert found.data["count"] == 0


async def test_committed_tools_create_and_get_through_the_gateway(embedded_org):
    """Create (the id lands in the dynamic variable) and get, from tool_definitions/*.json."""
    async with _executor(embedded_org) as executor:
        variables = {"system__conversation_id": "conv_e2e_1"}
        created = await executor.call(
            "salesforce_create_record",
            {
                "object_type": "Lead",
                "record_data": {
                    "FirstName": "Erin",
                    "LastName": "Endtoend",
                    "Company": "E2E Ltd",
                    "Email": "erin.e2e@example.com",
                },
            },
            variables,
        )
        assert created.ok, created.for_agent
        record_id = created.data["id"]
        assert variables[CREATED_ID_VARIABLE] == record_id
        got = await executor.call("salesforce_get_record", {"object_type": "Lead", "record_id": record_id}, variables)
        assert got.ok, got.for_agent
        assert got.data["object"] == "Lead"


async def test_gateway_errors_reach_the_agent(embedded_org):
    """With passthrough error handling, the gateway's speakable refusal is what the agent sees."""
    async with _executor(embedded_org) as executor:
        result = await executor.call(
            "salesforce_create_record", {"object_type": "Lead", "record_data": {"FirstName": "NoLast"}}, {}
        )
    assert not result.ok
    assert result.status == 422
    assert "LastName" in result.for_agent["error"]["message"]
