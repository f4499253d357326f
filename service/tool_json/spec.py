"""A format-neutral description of one webhook tool.

`generate.py` builds these; `models.py` renders them in the dashboard ("UI") format the seed shows and
`api_format.py` renders them as the `tool_config` of `POST /v1/convai/tools`. Keeping one neutral
shape means the two formats cannot describe different tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ValueType = Literal["string", "integer", "number", "boolean"]
Source = Literal["llm_prompt", "dynamic_variable", "constant_value"]
HeaderKind = Literal["value", "secret", "dynamic_variable"]


@dataclass(frozen=True)
class Param:
    """One path, query or body parameter and where its value comes from."""

    name: str
    description: str
    type: ValueType = "string"
    required: bool = True
    source: Source = "llm_prompt"
    value: str = ""  # dynamic variable name or constant, per `source`
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    """A JSON object body (POST)."""

    name: str
    description: str
    properties: tuple[Param, ...]
    required: bool = True


@dataclass(frozen=True)
class Header:
    """A request header: a literal, a workspace secret (by id) or a dynamic variable (by name)."""

    name: str
    kind: HeaderKind
    value: str


@dataclass(frozen=True)
class Assignment:
    """Copy `value_path` of the JSON response into dynamic variable `dynamic_variable`."""

    dynamic_variable: str
    value_path: str


@dataclass(frozen=True)
class ToolSpec:
    """Everything that defines one webhook tool, in neither output format."""

    name: str
    description: str
    url: str
    method: Literal["GET", "POST"]
    headers: tuple[Header, ...]
    path_params: tuple[Param, ...] = ()
    query_params: tuple[Param, ...] = ()
    body: Body | None = None
    response_timeout_secs: int = 20
    # Behaviour settings; None means "leave the platform default" (the seed's direct tools set none).
    tool_error_handling_mode: str | None = None
    pre_tool_speech: str | None = None
    interruption_mode: str | None = None
    execution_mode: str | None = None
    assignments: tuple[Assignment, ...] = ()
    dynamic_variable_placeholders: dict[str, str] = field(default_factory=dict)
