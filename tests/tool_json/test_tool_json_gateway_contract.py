"""The tool JSON and the gateway accept the same parameters, walked both ways."""

from __future__ import annotations

import re
from typing import Any

from service.settings import Settings
from service.tool_json.api_format import tool_request
from service.tool_json.generate import build_tools
from service.tools import schemas

# Accepted by the gateway but deliberately not given to the agent's LLM:
# - dry_run: an admin/testing switch; an LLM that set it would tell a caller "saved" when nothing was.
# - Idempotency-Key: creates are already idempotent per conversation (X-Conversation-Id + body hash).
NOT_EXPOSED = {("query", "dry_run"), ("header", schemas.IDEMPOTENCY_HEADER.lower())}
# Read on every route outside the OpenAPI operation: the secret by the auth dependency, the conversation
# id by the middleware (log correlation) - so every route accepts them even where they aren't declared.
GATEWAY_WIDE = {("header", schemas.SECRET_HEADER.lower()), ("header", schemas.CONVERSATION_HEADER.lower())}


def _tool_params(config: dict[str, Any]) -> set[tuple[str, str]]:
    """(location, name) of every parameter and header the tool JSON sends."""
    api = config["api_schema"]
    params = {("path", name) for name in api.get("path_params_schema", {})}
    params |= {("query", name) for name in api.get("query_params_schema", {}).get("properties", {})}
    params |= {("body", name) for name in api.get("request_body_schema", {}).get("properties", {})}
    params |= {("header", name.lower()) for name in api.get("request_headers", {})}
    return params


def _generated() -> dict[str, dict[str, Any]]:
    return {spec.name: tool_request(spec)["tool_config"] for spec in build_tools()}


def test_body_properties_are_exactly_the_create_fields():
    """Every field the create model names is in the JSON body, and every JSON body field is in the model."""
    config = _generated()[schemas.CREATE_TOOL]
    body = config["api_schema"]["request_body_schema"]["properties"]
    assert list(body) == list(schemas.CreateFields.model_fields)
    for name, prop in body.items():
        assert prop["description"] == schemas.CreateFields.model_fields[name].description


def test_path_params_match_the_gateway_paths():
    """The JSON's path parameters are the placeholders of the gateway's routes."""
    tools = _generated()
    for tool, path in (
        (schemas.SEARCH_TOOL, schemas.SEARCH_PATH),
        (schemas.GET_TOOL, schemas.GET_PATH),
        (schemas.CREATE_TOOL, schemas.CREATE_PATH),
    ):
        declared = set(tools[tool]["api_schema"].get("path_params_schema", {}))
        assert declared == set(re.findall(r"\{(\w+)\}", path))
        assert tools[tool]["api_schema"]["url"].endswith(path)


def test_descriptions_come_from_the_tool_schemas():
    """Tool and parameter descriptions are the gateway's own texts (object list, Name rule, LIMIT, required fields)."""
    settings = Settings()
    tools = _generated()
    assert tools[schemas.SEARCH_TOOL]["description"] == schemas.SEARCH_DESCRIPTION
    q = tools[schemas.SEARCH_TOOL]["api_schema"]["query_params_schema"]["properties"]["q"]["description"]
    assert q == schemas.q_description(settings)
    assert f"at most {settings.soql_max_limit}" in q and "Name" in q
    create = tools[schemas.CREATE_TOOL]["api_schema"]["path_params_schema"]["object_type"]
    assert create["enum"] == list(schemas.create_objects(settings))
    for obj, fields in schemas.REQUIRED_FIELDS.items():
        assert obj in create["description"]
        for field in fields:
            assert field in create["description"]


def _openapi_params(openapi: dict[str, Any], path: str, method: str) -> set[tuple[str, str]]:
    """(location, name) of every parameter the gateway's OpenAPI declares for one operation."""
    operation = openapi["paths"][path][method]
    params = {
        (p["in"], p["name"].lower() if p["in"] == "header" else p["name"]) for p in operation.get("parameters", [])
    }
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        if "$ref" in body:
            body = openapi["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        params |= {("body", name) for name in body.get("properties", {})}
    return params


def test_openapi_and_tool_json_accept_the_same_parameters():
    """Walk the running gateway's OpenAPI: gateway params ⊆ JSON (bar NOT_EXPOSED) and JSON params ⊆ gateway."""
    from service.app import create_app

    openapi = create_app().openapi()
    tools = _generated()
    for tool, path, method in (
        (schemas.SEARCH_TOOL, schemas.SEARCH_PATH, "get"),
        (schemas.GET_TOOL, schemas.GET_PATH, "get"),
        (schemas.CREATE_TOOL, schemas.CREATE_PATH, "post"),
    ):
        accepted = _openapi_params(openapi, path, method) | GATEWAY_WIDE
        sent = _tool_params(tools[tool])
        assert sent <= accepted, f"{tool}: JSON sends {sent - accepted} the gateway doesn't accept"
        assert accepted - NOT_EXPOSED <= sent, f"{tool}: gateway accepts {accepted - sent} the JSON never sends"
