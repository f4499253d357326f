"""The LLM agent against a local fake chat-completions endpoint that returns scripted tool calls."""

from __future__ import annotations

import json

import httpx2
from fastapi import FastAPI
from runner_fake_llm import EMAIL, fake_llm

from service.runner.callers import load_persona
from service.runner.llm_agent import LLMAgent
from service.runner.session import run_call
from service.runner.webhooks import WebhookExecutor


async def test_llm_agent_runs_scripted_tool_calls_through_the_gateway(
    fake_executor: WebhookExecutor, fake_app: FastAPI
) -> None:
    """Scripted tool calls reach the gateway with the body built from the tool JSON; the Lead exists."""
    llm = fake_llm()
    agent = LLMAgent(
        url="http://llm/v1",
        model="fake-model",
        api_key="k-123",
        tools=fake_executor.tools,
        transport=httpx2.ASGITransport(app=llm),
    )
    record = await run_call(load_persona("new-prospect"), agent, fake_executor, agent_kind="llm")
    await agent.aclose()
    assert record.ended_by_agent and record.error is None
    assert [t.name for t in record.tools] == ["salesforce_search_records", "salesforce_create_record"]
    assert [lead["Email"] for lead in fake_app.state.store["Lead"]] == [EMAIL]
    first = llm.state.requests[0]
    assert first["auth"] == "Bearer k-123"
    assert first["body"]["messages"][0]["role"] == "system" and "Salesforce" in first["body"]["messages"][0]["content"]
    names = {t["function"]["name"] for t in first["body"]["tools"]}
    assert names == {"salesforce_search_records", "salesforce_get_record", "salesforce_create_record", "end_call"}
    tool_messages = [m for m in llm.state.requests[2]["body"]["messages"] if m["role"] == "tool"]
    assert tool_messages and json.loads(tool_messages[0]["content"])["count"] == 0


def test_function_schema_shows_only_llm_filled_parameters(fake_executor: WebhookExecutor) -> None:
    """The create tool's schema has object_type and the record body, never the conversation header."""
    schema = fake_executor.tools["salesforce_create_record"].function_schema()["function"]["parameters"]
    assert set(schema["properties"]) == {"object_type", "record_data"}
    assert "Email" in schema["properties"]["record_data"]["properties"]


async def test_prompt_language_and_variables_overrides_reach_the_llm(fake_executor: WebhookExecutor) -> None:
    """A prompt override replaces the seed prompt; language and {{variables}} are applied."""
    llm = fake_llm()
    agent = LLMAgent(
        url="http://llm/v1/chat/completions",
        model="m",
        api_key=None,
        tools=fake_executor.tools,
        transport=httpx2.ASGITransport(app=llm),
        system_prompt="You help {{company}} callers.",
        first_message="Hola {{name}}",
        dynamic_variables={"company": "Acme", "name": "Ana"},
        language="es",
    )
    hello = await agent.greet()
    reply = await agent.reply("Necesito ayuda", lambda name, params: fake_executor.call(name, params, {}))
    await agent.aclose()
    assert hello.text == "Hola Ana" and reply.slot == "email"
    system = llm.state.requests[0]["body"]["messages"][0]["content"]
    assert system.startswith("You help Acme callers.") and "language: es" in system
    assert llm.state.requests[0]["auth"] is None
