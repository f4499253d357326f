"""The MCP tool list and the webhook tool JSON describe the same tools: names, texts, parameters."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from service.mcp.catalog import tool_list, tool_models
from service.settings import Settings
from service.tool_json.generate import gateway_tools
from service.tool_json.spec import ToolSpec


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, webhook_secret=SecretStr("x" * 32), **values)  # type: ignore[call-arg]


def webhook_parameters(spec: ToolSpec) -> dict[str, str]:
    """What the agent's LLM fills in for a webhook tool: every parameter's name and description."""
    params = {p.name: p.description for p in (*spec.path_params, *spec.query_params)}
    if spec.body is not None:
        params[spec.body.name] = spec.body.description
    return params


def test_parameters_and_texts_equal_the_webhook_tool_json() -> None:
    """Each MCP tool has its webhook's name, description and parameters (record_data = the JSON body)."""
    config = settings(allowed_objects="Lead,Contact,Account", soql_max_limit=50)
    mcp_tools = tool_list(config, tool_models(config))
    webhooks = gateway_tools(settings=config)
    assert [t.name for t in mcp_tools] == [w.name for w in webhooks]
    for tool, spec in zip(mcp_tools, webhooks, strict=True):
        assert tool.description == spec.description
        properties = tool.input_schema["properties"]
        assert {name: prop.get("description") for name, prop in properties.items()} == webhook_parameters(spec)
        for param in spec.path_params:
            assert properties[param.name].get("enum", []) == list(param.enum)


def test_create_fields_equal_the_webhook_body_fields() -> None:
    """record_data's fields, types and descriptions are the webhook body's."""
    config = settings()
    create = tool_list(config, tool_models(config))[2]
    body = gateway_tools(settings=config)[2].body
    assert body is not None
    fields = create.input_schema["$defs"]["CreateFields"]["properties"]
    assert {name: f["description"] for name, f in fields.items()} == {p.name: p.description for p in body.properties}
    assert create.input_schema["$defs"]["CreateFields"]["additionalProperties"] is True
