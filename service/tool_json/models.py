"""The dashboard ("UI") tool format the seed shows, as pydantic models, and its rendering from a spec.

The seed's shape: parameters are lists of `{id, type, description, dynamic_variable, constant_value,
required, value_type}`, the body is one such object with a `properties` list, headers are a list of
`{type, name, value}`. The seed only shows literal headers; secret and dynamic-variable headers use
`{type: "secret", name, secret_id}` and `{type: "dynamic_variable", name, dynamic_variable}`.
Behaviour settings the seed doesn't use (error handling, pre-tool speech, interruptions, assignments)
are written under the API's own key names, and only when set.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from service.tool_json.spec import Header, Param, ToolSpec


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UiParam(_Strict):
    id: str
    type: Literal["string", "integer", "number", "boolean"]
    description: str
    dynamic_variable: str
    constant_value: str
    required: bool
    value_type: Literal["llm_prompt", "dynamic_variable", "constant_value"]
    enum: list[str] | None = None


class UiBody(_Strict):
    id: str
    type: Literal["object"]
    description: str
    required: bool
    properties: list[UiParam]


class UiValueHeader(_Strict):
    type: Literal["value"]
    name: str
    value: str


class UiSecretHeader(_Strict):
    type: Literal["secret"]
    name: str
    secret_id: str


class UiVariableHeader(_Strict):
    type: Literal["dynamic_variable"]
    name: str
    dynamic_variable: str


UiHeader = UiValueHeader | UiSecretHeader | UiVariableHeader


class UiApiSchema(_Strict):
    url: str
    method: Literal["GET", "POST"]
    path_params_schema: list[UiParam]
    query_params_schema: list[UiParam]
    request_body_schema: UiBody | None
    request_headers: list[UiHeader]


class UiAssignment(_Strict):
    source: Literal["response"]
    dynamic_variable: str
    value_path: str


class UiDynamicVariables(_Strict):
    dynamic_variable_placeholders: dict[str, str]


class UiTool(_Strict):
    type: Literal["webhook"]
    name: str
    description: str
    api_schema: UiApiSchema
    response_timeout_secs: int
    dynamic_variables: UiDynamicVariables
    tool_error_handling_mode: str | None = None
    pre_tool_speech: str | None = None
    interruption_mode: str | None = None
    execution_mode: str | None = None
    assignments: list[UiAssignment] | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object: optional behaviour keys dropped when unset, `request_body_schema: null` kept."""
        data = self.model_dump(mode="json")
        for key in _OPTIONAL_KEYS:
            if data[key] is None:
                del data[key]
        for group in ("path_params_schema", "query_params_schema"):
            for param in data["api_schema"][group]:
                _drop_none_enum(param)
        body = data["api_schema"]["request_body_schema"]
        if body is not None:
            for param in body["properties"]:
                _drop_none_enum(param)
        return data


_OPTIONAL_KEYS = ("tool_error_handling_mode", "pre_tool_speech", "interruption_mode", "execution_mode", "assignments")


def _drop_none_enum(param: dict[str, Any]) -> None:
    if param.get("enum") is None:
        param.pop("enum", None)


def _param(p: Param) -> UiParam:
    return UiParam(
        id=p.name,
        type=p.type,
        description=p.description,
        dynamic_variable=p.value if p.source == "dynamic_variable" else "",
        constant_value=p.value if p.source == "constant_value" else "",
        required=p.required,
        value_type=p.source,
        enum=list(p.enum) or None,
    )


def _header(h: Header) -> UiHeader:
    if h.kind == "secret":
        return UiSecretHeader(type="secret", name=h.name, secret_id=h.value)
    if h.kind == "dynamic_variable":
        return UiVariableHeader(type="dynamic_variable", name=h.name, dynamic_variable=h.value)
    return UiValueHeader(type="value", name=h.name, value=h.value)


def to_ui(spec: ToolSpec) -> UiTool:
    """Render a tool in the dashboard format."""
    body = None
    if spec.body is not None:
        body = UiBody(
            id=spec.body.name,
            type="object",
            description=spec.body.description,
            required=spec.body.required,
            properties=[_param(p) for p in spec.body.properties],
        )
    return UiTool(
        type="webhook",
        name=spec.name,
        description=spec.description,
        api_schema=UiApiSchema(
            url=spec.url,
            method=spec.method,
            path_params_schema=[_param(p) for p in spec.path_params],
            query_params_schema=[_param(p) for p in spec.query_params],
            request_body_schema=body,
            request_headers=[_header(h) for h in spec.headers],
        ),
        response_timeout_secs=spec.response_timeout_secs,
        dynamic_variables=UiDynamicVariables(dynamic_variable_placeholders=dict(spec.dynamic_variable_placeholders)),
        tool_error_handling_mode=spec.tool_error_handling_mode,
        pre_tool_speech=spec.pre_tool_speech,
        interruption_mode=spec.interruption_mode,
        execution_mode=spec.execution_mode,
        assignments=[
            UiAssignment(source="response", dynamic_variable=a.dynamic_variable, value_path=a.value_path)
            for a in spec.assignments
        ]
        or None,
    )
