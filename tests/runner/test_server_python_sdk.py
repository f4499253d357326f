"""The official Python SDK holds whole qualification conversations with the agent server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from runner_fake_gateway import executor_for, fake_gateway
from sdk_helpers import python_sdk_call

from service.runner.callers import load_persona
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread, Stack


@pytest.fixture
def fake_server(tools_dir: Path) -> Iterator[tuple[ServerThread, FastAPI, FastAPI]]:
    gateway = fake_gateway("test-secret")
    executor = executor_for(gateway, tools_dir)
    app = create_agent_server(executor, ping_interval=0.2)
    with ServerThread(app) as server:
        yield server, gateway, app


def test_python_sdk_call_creates_the_lead(fake_server: tuple[ServerThread, FastAPI, FastAPI]) -> None:
    """A new prospect's whole call over the SDK ends with end_call, close 1000 and the Lead created."""
    server, gateway, _app = fake_server
    result = python_sdk_call(server.url, load_persona("new-prospect"))
    assert result["disconnect"] is not None and result["disconnect"].reason == "agent"
    leads = gateway.state.store["Lead"]
    assert [lead["Email"] for lead in leads] == ["priya.natarajan@brightwave-analytics.com"]


def test_signed_url_works_with_requires_auth(fake_server: tuple[ServerThread, FastAPI, FastAPI]) -> None:
    """requires_auth=True fetches get-signed-url from the server and connects to the ws:// URL it returns."""
    server, gateway, _app = fake_server
    result = python_sdk_call(server.url, load_persona("new-prospect", tag="7"), requires_auth=True)
    assert result["disconnect"] is not None
    assert gateway.state.store["Lead"][0]["Email"] == "priya.natarajan7@brightwave-analytics.com"


def test_dynamic_variables_name_the_known_caller(fake_server: tuple[ServerThread, FastAPI, FastAPI]) -> None:
    """A caller name in dynamic_variables is used in the greeting and not asked for again."""
    server, _gateway, app = fake_server
    result = python_sdk_call(
        server.url, load_persona("new-prospect", tag="8"), dynamic_variables={"caller_name": "Priya Natarajan"}
    )
    assert result["agent"][0].startswith("Hi Priya")
    assert not any("full name" in line for line in result["agent"])
    conv = app.state.conversations[-1]
    assert conv.log[0]["user_id"] == "sdk-user" and conv.log[0]["text_only"] is True


def test_python_sdk_whole_call_on_the_embedded_org(stack: Stack) -> None:
    """Through the real gateway: the SDK's whole qualification call leaves the Lead in the org."""
    from runner_org import org_query

    app = create_agent_server(stack.executor(), ping_interval=0.5)
    with ServerThread(app) as server:
        result = python_sdk_call(server.url, load_persona("new-prospect", tag="py"))
    assert result["disconnect"] is not None and result["disconnect"].reason == "agent"
    rows = org_query(
        stack, "SELECT Id, Name, Company, Title FROM Lead WHERE Email = 'priya.natarajanpy@brightwave-analytics.com'"
    )
    assert [(r["Name"], r["Company"], r["Title"]) for r in rows] == [
        ("Priya Natarajan", "Brightwave Analyticspy", "Head of Operations")
    ]


def test_client_tool_call_reaches_the_sdk(tools_dir: Path) -> None:
    """A client tool offered by the server arrives as client_tool_call; the SDK's result is awaited."""
    from sdk_helpers import ClientTools

    gateway = fake_gateway("test-secret")
    executor = executor_for(gateway, tools_dir)
    app = create_agent_server(executor, client_tools=("show_summary",), ping_interval=0.5)
    seen: list[dict[str, Any]] = []

    def show_summary(params: dict[str, Any]) -> dict[str, Any]:
        seen.append(params)
        return {"shown": True}

    tools = ClientTools()
    tools.register("show_summary", show_summary)
    with ServerThread(app) as server:
        result = python_sdk_call(server.url, load_persona("new-prospect", tag="ct"), client_tools=tools)
    assert result["disconnect"] is not None
    assert seen and seen[0]["object"] == "Lead" and seen[0]["email"] == "priya.natarajanct@brightwave-analytics.com"
    events = [e for e in app.state.conversations[-1].log if e["event"] == "client_tool"]
    assert events == [{"event": "client_tool", "name": "show_summary", "ok": True, "result": {"shown": True}}]
