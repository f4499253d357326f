"""The `tool_config` accepted by `POST /v1/convai/tools`, and its validation with the SDK's own models.

The SDK's models are lenient (`extra="allow"`, no mutual-exclusion checks), so `validate_tool_request`
adds what the API enforces server-side: no unknown keys anywhere, exactly one value source per
literal property, path placeholders matching `path_params_schema`, timeouts in 5-300 s.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from service.errors import ConfigError
from service.tool_json.spec import Header, Param, ToolSpec

_VALUE_SOURCES = ("description", "dynamic_variable", "constant_value", "is_system_provided", "is_omitted")


def _literal(p: Param) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": p.type}
    if p.source == "dynamic_variable":
        prop["dynamic_variable"] = p.value
    elif p.source == "constant_value":
        prop["constant_value"] = p.value
    else:
        prop["description"] = p.description
        if p.enum:
            prop["enum"] = list(p.enum)
    return prop


def _header(h: Header) -> str | dict[str, str]:
    if h.kind == "secret":
        return {"secret_id": h.value}
    if h.kind == "dynamic_variable":
        return {"variable_name": h.value}
    return h.value


def to_api(spec: ToolSpec) -> dict[str, Any]:
    """Render a tool as the API's webhook `tool_config`."""
    api_schema: dict[str, Any] = {"url": spec.url, "method": spec.method}
    if spec.method != "GET":
        api_schema["content_type"] = "application/json"
    api_schema["request_headers"] = {h.name: _header(h) for h in spec.headers}
    if spec.path_params:
        api_schema["path_params_schema"] = {p.name: _literal(p) for p in spec.path_params}
    if spec.query_params:
        api_schema["query_params_schema"] = {
            "properties": {p.name: _literal(p) for p in spec.query_params},
            "required": [p.name for p in spec.query_params if p.required],
        }
    if spec.body is not None:
        body: dict[str, Any] = {"type": "object", "description": spec.body.description}
        required = [p.name for p in spec.body.properties if p.required]
        if required:
            body["required"] = required
        body["properties"] = {p.name: _literal(p) for p in spec.body.properties}
        api_schema["request_body_schema"] = body
    config: dict[str, Any] = {
        "type": "webhook",
        "name": spec.name,
        "description": spec.description,
        "api_schema": api_schema,
        "response_timeout_secs": spec.response_timeout_secs,
    }
    for key in ("tool_error_handling_mode", "pre_tool_speech", "interruption_mode", "execution_mode"):
        value = getattr(spec, key)
        if value is not None:
            config[key] = value
    if spec.assignments:
        config["assignments"] = [
            {"source": "response", "dynamic_variable": a.dynamic_variable, "value_path": a.value_path}
            for a in spec.assignments
        ]
    config["dynamic_variables"] = {"dynamic_variable_placeholders": dict(spec.dynamic_variable_placeholders)}
    return config


def tool_request(spec: ToolSpec) -> dict[str, Any]:
    """The whole `POST /v1/convai/tools` body for one tool."""
    return {"tool_config": to_api(spec)}


def validate_tool_request(body: dict[str, Any]) -> Any:
    """Parse `body` with `elevenlabs.ToolRequestModel` plus the API's server-side rules.

    Returns the SDK model; raises `ConfigError` naming the first problem.
    """
    from elevenlabs import ToolRequestModel

    try:
        model = ToolRequestModel.model_validate(body)
    except ValidationError as exc:
        raise ConfigError(f"tool JSON rejected by the ElevenLabs SDK models: {exc}") from exc
    reject_unknown_keys(model, "")
    config = body["tool_config"]
    if config.get("type") != "webhook":
        raise ConfigError("tool_config.type must be 'webhook'")
    timeout = config.get("response_timeout_secs", 20)
    if not 5 <= timeout <= 300:
        raise ConfigError(f"response_timeout_secs must be 5-300 for webhook tools, got {timeout}")
    schema = config["api_schema"]
    placeholders = set(re.findall(r"\{(\w+)\}", schema["url"]))
    declared = set(schema.get("path_params_schema") or {})
    if placeholders != declared:
        raise ConfigError(f"URL placeholders {sorted(placeholders)} != path_params_schema {sorted(declared)}")
    for where, prop in _literals(schema):
        sources = [k for k in _VALUE_SOURCES if prop.get(k) not in (None, False)]
        if len(sources) != 1:
            raise ConfigError(f"{where}: exactly one of {_VALUE_SOURCES} must be set, got {sources}")
    return model


def reject_unknown_keys(model: BaseModel, path: str) -> None:
    """The SDK models accept unknown keys; the API does not. Walk the parsed tree and refuse them."""
    extra = model.model_extra or {}
    if extra:
        raise ConfigError(f"unknown key(s) {sorted(extra)} at {path or 'top level'}")
    for name in type(model).model_fields:
        _walk(getattr(model, name), f"{path}.{name}" if path else name)


def _walk(value: Any, path: str) -> None:
    if isinstance(value, BaseModel):
        reject_unknown_keys(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]")


def _literals(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"path_params_schema.{k}", v) for k, v in (schema.get("path_params_schema") or {}).items()]
    query = schema.get("query_params_schema") or {}
    found += [(f"query_params_schema.{k}", v) for k, v in (query.get("properties") or {}).items()]
    body = schema.get("request_body_schema") or {}
    found += [(f"request_body_schema.{k}", v) for k, v in (body.get("properties") or {}).items()]
    return found
