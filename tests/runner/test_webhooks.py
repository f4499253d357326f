"""The webhook executor calls tools exactly as the platform does (path, query, body, headers, timeout,
errors, response_filter, assignments), for both tool JSON formats."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.runner.webhooks import ToolSpec, WebhookExecutor, load_tools, parse_tool

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def echo_app() -> FastAPI:
    """Answers every request with what it received; `/slow` sleeps; `/fail` answers 422."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(path: str, request: Request) -> Any:
        if path.startswith("slow"):
            await asyncio.sleep(2)
        body = (await request.body()).decode()
        data = {
            "path": "/" + path,
            "query": dict(request.query_params),
            "headers": dict(request.headers),
            "body": json.loads(body) if body else None,
            "score": 80,
            "next_step": "book_demo",
            "lead": {"id": "L-1", "owner": "x"},
        }
        if path.startswith("fail"):
            return JSONResponse({"error": {"code": "invalid_record", "message": "Lead needs Company."}}, 422)
        return data

    return app


def executor_for(tools: dict[str, ToolSpec], secret: str | None = "s3cret") -> WebhookExecutor:
    transport = httpx2.ASGITransport(app=echo_app())
    return WebhookExecutor(tools, base_url="http://hooks", secret=secret, transport=transport)


@pytest.fixture
def example() -> dict[str, Any]:
    path = SHARED / "elevenlabs" / "webhook_example.json"
    if not path.exists():
        pytest.skip("../shared is not available")
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


async def test_api_format_example_is_called_like_the_platform(example: dict[str, Any]) -> None:
    """Path from a dynamic variable, constant + LLM query, body with dynamic and LLM values, all header kinds."""
    spec = parse_tool(example)
    executor = executor_for({spec.name: spec})
    variables: dict[str, Any] = {
        "lead_id": "lead_42",
        "system__conversation_id": "conv_1",
        "secret__crm_token": "tok-9",
    }
    result = await executor.call(
        "qualify_lead",
        {
            "dry_run": True,
            "budget_band": ">50k",
            "timeline": {"quarter": "2025-Q3"},
            "contacts": [{"name": "Ann"}],
            "not_in_schema": "dropped",
        },
        variables,
    )
    await executor.aclose()
    sent = result.data
    assert result.ok and sent["path"] == "/v1/leads/lead_42/qualification"
    assert sent["query"] == {"source": "voice_agent", "dry_run": "true"}
    assert sent["body"] == {
        "conversation_id": "conv_1",
        "budget_band": ">50k",
        "timeline": {"quarter": "2025-Q3"},
        "contacts": [{"name": "Ann"}],
    }
    headers = sent["headers"]
    assert headers["x-tool-version"] == "2024-01" and headers["x-api-key"] == "s3cret"
    assert headers["x-conversation-id"] == "conv_1" and headers["authorization"] == "tok-9"
    assert result.for_agent == {"score": 80, "next_step": "book_demo"}  # allow-filter, crm_ref sanitized
    assert result.dynamic_variable_updates == {"lead_score": 80, "crm_ref": "L-1"}
    assert variables.get("lead_score") == 80


async def test_ui_format_tools_send_the_secret_and_conversation_id(tools_dir: Path) -> None:
    """The committed UI-format create tool: object type in the path, JSON body, secret + conversation headers."""
    executor = executor_for(load_tools(tools_dir))
    result = await executor.call(
        "salesforce_create_record",
        {"object_type": "Lead", "LastName": "Doe", "Company": "Acme", "Bogus": 1},
        {"system__conversation_id": "conv_7"},
    )
    await executor.aclose()
    sent = result.data
    assert sent["path"] == "/tools/salesforce_create_record/Lead"
    assert sent["body"] == {"LastName": "Doe", "Company": "Acme"}
    assert sent["headers"]["x-webhook-secret"] == "s3cret" and sent["headers"]["x-conversation-id"] == "conv_7"


async def test_search_query_is_url_encoded(tools_dir: Path) -> None:
    """The SOQL goes in `q`, appended to the URL and encoded."""
    executor = executor_for(load_tools(tools_dir))
    q = "SELECT Id, Name FROM Lead WHERE Email = 'a+b@x.com'"
    result = await executor.call("salesforce_search_records", {"q": q}, {})
    await executor.aclose()
    assert result.data["query"] == {"q": q} and result.request["url"].startswith("http://hooks/tools/")


async def test_path_values_are_escaped(tools_dir: Path) -> None:
    """A path value cannot add path segments."""
    executor = executor_for(load_tools(tools_dir))
    result = await executor.call("salesforce_get_record", {"object_type": "Lead", "record_id": "../../admin"}, {})
    await executor.aclose()
    assert result.request["url"].endswith("/salesforce_get_record/Lead/..%2F..%2Fadmin")


async def test_non_2xx_is_an_error_the_agent_sees_with_passthrough(tools_dir: Path) -> None:
    """A 422 becomes is_error with the gateway's message (the tool JSON asks for passthrough)."""
    tools = load_tools(tools_dir)
    spec = copy.deepcopy(tools["salesforce_create_record"])
    spec.url = spec.url.replace("/tools/", "/fail/")
    executor = executor_for({spec.name: spec})
    result = await executor.call(spec.name, {"object_type": "Lead", "LastName": "Doe"}, {})
    await executor.aclose()
    assert not result.ok and result.status == 422 and result.error_type == "external_client"
    assert result.speech() == "Lead needs Company."


async def test_errors_are_hidden_by_default_mode(example: dict[str, Any]) -> None:
    """tool_error_handling_mode auto hides a webhook's error body from the agent."""
    doc = copy.deepcopy(example)
    doc["tool_config"]["tool_error_handling_mode"] = "auto"
    doc["tool_config"]["api_schema"]["url"] = "https://hooks.example.com/fail/{lead_id}"
    spec = parse_tool(doc)
    executor = executor_for({spec.name: spec})
    result = await executor.call(spec.name, {"budget_band": "<10k"}, {"lead_id": "x"})
    await executor.aclose()
    assert not result.ok and "Company" not in json.dumps(result.for_agent)


async def test_response_timeout_applies(example: dict[str, Any]) -> None:
    """response_timeout_secs bounds the call; a timeout is a client_timeout error."""
    doc = copy.deepcopy(example)
    doc["tool_config"]["response_timeout_secs"] = 0.2
    doc["tool_config"]["api_schema"]["url"] = "https://hooks.example.com/slow/{lead_id}"
    spec = parse_tool(doc)
    executor = executor_for({spec.name: spec})
    result = await executor.call(spec.name, {"budget_band": "<10k"}, {"lead_id": "x"})
    await executor.aclose()
    assert not result.ok and result.error_type == "client_timeout"


async def test_unknown_tool_is_an_error_result() -> None:
    """Calling a tool that is not defined gives an error result, not an exception."""
    executor = executor_for({})
    result = await executor.call("nope", {}, {})
    await executor.aclose()
    assert not result.ok and result.error_type == "customer_config"


def test_api_and_ui_exports_read_the_same(tools_dir: Path) -> None:
    """tool_definitions/ and tool_definitions/api/ describe the same calls."""
    ui, api = load_tools(tools_dir), load_tools(tools_dir / "api")
    assert set(ui) == set(api)
    for name in ui:
        a, b = ui[name], api[name]
        assert (a.method, a.url, a.timeout, a.error_mode) == (b.method, b.url, b.timeout, b.error_mode)
        assert a.path_params == b.path_params and a.query_params == b.query_params
        assert (a.body is None) == (b.body is None)
        assert [p.name for p in a.body or []] == [p.name for p in b.body or []]
        assert {h.name: h.kind for h in a.headers} == {h.name: h.kind for h in b.headers}


def test_tools_are_generated_when_no_tool_definitions_exist(tools_dir: Path, tmp_path: Path) -> None:
    """Without a tool_definitions/ directory the runner generates the same three tools in memory."""
    from service.runner.stack import tools_from

    generated, committed = tools_from(tmp_path / "missing"), load_tools(tools_dir)
    assert set(generated) == set(committed)
    for name, spec in committed.items():
        assert generated[name].function_schema() == spec.function_schema()
