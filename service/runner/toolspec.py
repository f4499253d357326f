"""Tool JSON → a normalised `ToolSpec` (UI format and API `tool_config` format), and the function
schema the LLM sees (only `description`-bearing, LLM-filled parameters, as the platform does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Param:
    """One path, query or body parameter and where its value comes from."""

    name: str
    type: str = "string"
    description: str | None = None
    dynamic_variable: str | None = None
    constant_value: Any = None
    required: bool = False
    omitted: bool = False
    enum: tuple[str, ...] = ()

    @property
    def llm_filled(self) -> bool:
        """The agent supplies this value (the platform only shows these to the LLM)."""
        return not self.omitted and self.constant_value is None and not self.dynamic_variable


@dataclass(frozen=True)
class Header:
    """A request header: a literal `value`, the webhook `secret`, or a dynamic `variable`."""

    name: str
    kind: str
    value: str = ""


@dataclass
class ToolSpec:
    """A webhook tool, whatever JSON format it came in."""

    name: str
    description: str
    url: str
    method: str = "GET"
    path_params: list[Param] = field(default_factory=list)
    query_params: list[Param] = field(default_factory=list)
    body: list[Param] | None = None
    body_name: str = "body"
    body_description: str = ""
    body_open: bool = False
    headers: list[Header] = field(default_factory=list)
    content_type: str = "application/json"
    timeout: float = 20.0
    response_filter: dict[str, Any] | None = None
    assignments: list[dict[str, Any]] = field(default_factory=list)
    error_mode: str = "auto"

    def function_schema(self) -> dict[str, Any]:
        """The OpenAI-style function definition for this tool."""
        props: dict[str, Any] = {}
        required: list[str] = []
        for param in [*self.path_params, *self.query_params]:
            if param.llm_filled:
                props[param.name] = _json_schema(param)
                if param.required:
                    required.append(param.name)
        if self.body is not None:
            body_props = {p.name: _json_schema(p) for p in self.body if p.llm_filled}
            body_schema: dict[str, Any] = {
                "type": "object",
                "description": self.body_description,
                "properties": body_props,
            }
            body_required = [p.name for p in self.body if p.llm_filled and p.required]
            if body_required:
                body_schema["required"] = body_required
            if self.body_open:
                body_schema["additionalProperties"] = True
            props[self.body_name] = body_schema
            required.append(self.body_name)
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {"type": "object", "properties": props, "required": required},
            },
        }


def _json_schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": param.type if param.type in ("string", "integer", "number", "boolean") else "string"
    }
    if param.description:
        schema["description"] = param.description
    if param.enum:
        schema["enum"] = list(param.enum)
    return schema


def _ui_param(item: dict[str, Any]) -> Param:
    value_type = item.get("value_type", "llm_prompt")
    constant = item.get("constant_value")
    dynamic = item.get("dynamic_variable") or None
    return Param(
        name=str(item.get("id") or item.get("name")),
        type=str(item.get("type", "string")),
        description=item.get("description") or None,
        dynamic_variable=dynamic
        if value_type == "dynamic_variable" or (dynamic and value_type != "llm_prompt")
        else None,
        constant_value=constant if value_type == "constant_value" else None,
        required=bool(item.get("required", False)),
        omitted=bool(item.get("is_omitted", False)),
        enum=tuple(item.get("enum") or ()),
    )


def _api_param(name: str, item: dict[str, Any], required: list[str]) -> Param:
    return Param(
        name=name,
        type=str(item.get("type", "string")),
        description=item.get("description") or None,
        dynamic_variable=item.get("dynamic_variable") or None,
        constant_value=item.get("constant_value"),
        required=name in required,
        omitted=bool(item.get("is_omitted", False)),
        enum=tuple(item.get("enum") or ()),
    )


def _params(schema: Any, *, path_style: bool = False) -> list[Param]:
    """Parameters from a UI list, an API `{properties, required}` object or an API path dict."""
    if not schema:
        return []
    if isinstance(schema, list):
        return [_ui_param(item) for item in schema]
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        required = list(schema.get("required") or [])
        return [_api_param(k, v, required) for k, v in schema["properties"].items()]
    if isinstance(schema, dict) and isinstance(schema.get("properties"), list):
        return [_ui_param(item) for item in schema["properties"]]
    if isinstance(schema, dict) and path_style:
        return [_api_param(k, v, list(schema)) for k, v in schema.items()]
    return []


def _headers(raw: Any) -> list[Header]:
    out: list[Header] = []
    if isinstance(raw, list):
        for item in raw:
            kind = str(item.get("type", "value"))
            name = str(item.get("name"))
            if kind == "secret" or "secret_id" in item:
                out.append(Header(name, "secret", str(item.get("secret_id", ""))))
            elif kind in ("dynamic_variable", "variable") or "variable_name" in item:
                out.append(
                    Header(
                        name,
                        "variable",
                        str(item.get("variable_name") or item.get("dynamic_variable") or item.get("value", "")),
                    )
                )
            else:
                out.append(Header(name, "value", str(item.get("value", ""))))
    elif isinstance(raw, dict):
        for name, value in raw.items():
            if isinstance(value, dict) and "secret_id" in value:
                out.append(Header(name, "secret", str(value["secret_id"])))
            elif isinstance(value, dict) and "variable_name" in value:
                out.append(Header(name, "variable", str(value["variable_name"])))
            elif isinstance(value, dict):
                continue  # env-var locators are not resolvable locally
            else:
                out.append(Header(name, "value", str(value)))
    return out


def parse_tool(doc: dict[str, Any]) -> ToolSpec:
    """Normalise one tool JSON document (UI or API format, optionally wrapped in `tool_config`)."""
    tool = doc.get("tool_config", doc)
    api = tool["api_schema"]
    body_schema = api.get("request_body_schema")
    body: list[Param] | None = None
    body_name, body_description, body_open = "body", "", False
    if isinstance(body_schema, dict):
        body = _params(body_schema)
        body_name = str(body_schema.get("id") or "body")
        body_description = str(body_schema.get("description") or "")
        # The platform sends only the declared properties; a body with none declared is a free-form object.
        body_open = not body
    return ToolSpec(
        name=str(tool["name"]),
        description=str(tool.get("description", "")),
        url=str(api["url"]),
        method=str(api.get("method", "GET")).upper(),
        path_params=_params(api.get("path_params_schema"), path_style=True),
        query_params=_params(api.get("query_params_schema")),
        body=body,
        body_name=body_name,
        body_description=body_description,
        body_open=body_open,
        headers=_headers(api.get("request_headers")),
        content_type=str(api.get("content_type", "application/json")),
        timeout=float(tool.get("response_timeout_secs", 20)),
        response_filter=api.get("response_filter"),
        assignments=list(tool.get("assignments") or []),
        error_mode=str(tool.get("tool_error_handling_mode", "auto")),
    )
