"""Check test bodies with the SDK's request models and the API's own rules.

The SDK's models are lenient (`extra="allow"`, open enums typed `Literal[...] | Any`, no cross-field
checks), so `validate_test` adds what the API enforces server-side and documents in the model's
field descriptions: no unknown keys, the enums' values, a success condition on every simulation,
non-empty example lists, `exact`/`regex` evals with a value (and a pattern that compiles), mocks
only for mocked tools, chat history in time order with every tool result answering a call.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from service.errors import ConfigError
from service.tool_json.api_format import reject_unknown_keys

_ROLES = ("user", "agent")
_MOCKING = ("all", "selected", "none")
_FALLBACK = ("call_real_tool", "raise_error")
_TOOL_TYPES = ("system", "webhook", "client", "workflow", "api_integration_webhook", "mcp", "code")


def _model(kind: str) -> type[BaseModel]:
    from elevenlabs import CreateResponseUnitTestRequest, CreateSimulationTestRequest, CreateToolCallUnitTestRequest

    models: dict[str, type[BaseModel]] = {
        "llm": CreateResponseUnitTestRequest,
        "tool": CreateToolCallUnitTestRequest,
        "simulation": CreateSimulationTestRequest,
    }
    if kind not in models:
        raise ConfigError(f"test type must be one of {sorted(models)}, got {kind!r}")
    return models[kind]


def _fail(name: str, problem: str) -> ConfigError:
    return ConfigError(f"test {name!r}: {problem}")


def _check_eval(name: str, where: str, param: dict[str, Any]) -> None:
    if not str(param.get("path") or "").strip():
        raise _fail(name, f"{where}: a parameter needs a path")
    ev = param.get("eval") or {}
    kind = ev.get("type")
    if kind not in ("anything", "exact", "regex", "llm"):
        raise _fail(name, f"{where}: eval type must be anything, exact, regex or llm, got {kind!r}")
    need = {"exact": "expected_value", "regex": "pattern", "llm": "description"}.get(str(kind))
    if need and not isinstance(ev.get(need), str):
        raise _fail(name, f"{where}: a {kind} eval needs a string {need}")
    if kind == "regex":
        try:
            re.compile(ev["pattern"])
        except re.error as exc:
            raise _fail(name, f"{where}: pattern does not compile: {exc}") from exc


def _check_history(name: str, history: list[dict[str, Any]]) -> None:
    last = 0
    for index, turn in enumerate(history):
        if turn.get("role") not in _ROLES:
            raise _fail(name, f"chat_history[{index}].role must be user or agent")
        at = turn.get("time_in_call_secs")
        if not isinstance(at, int) or at < last:
            raise _fail(name, f"chat_history[{index}].time_in_call_secs must be a whole number, in time order")
        last = at
        calls = {c.get("request_id") for c in turn.get("tool_calls") or []}
        for result in turn.get("tool_results") or []:
            if result.get("request_id") not in calls:
                raise _fail(name, f"chat_history[{index}]: tool result {result.get('request_id')!r} answers no call")


def _check_simulation(name: str, body: dict[str, Any]) -> None:
    conditions = [c for c in body.get("success_conditions") or [] if str(c).strip()]
    if not conditions and not str(body.get("success_condition") or "").strip():
        raise _fail(name, "a simulation needs success_condition or success_conditions")
    if not str(body.get("simulation_scenario") or "").strip():
        raise _fail(name, "a simulation needs a simulation_scenario")
    turns = body.get("simulation_max_turns")
    if turns is not None and (not isinstance(turns, int) or turns < 1):
        raise _fail(name, "simulation_max_turns must be a positive whole number")
    config = body.get("tool_mock_config") or {}
    if config.get("mocking_strategy", "none") not in _MOCKING:
        raise _fail(name, f"mocking_strategy must be one of {_MOCKING}")
    if config.get("fallback_strategy", "raise_error") not in _FALLBACK:
        raise _fail(name, f"fallback_strategy must be one of {_FALLBACK}")
    overrides = body.get("tool_mock_overrides") or {}
    strategy = config.get("mocking_strategy", "none")
    mocked = set(config.get("mocked_tool_ids") or [])
    for tool, mocks in overrides.items():
        if strategy == "none" or (strategy == "selected" and tool not in mocked):
            raise _fail(name, f"tool_mock_overrides for {tool!r}, which tool_mock_config does not mock")
        for index, mock in enumerate(mocks):
            for param in mock.get("parameter_conditions") or []:
                _check_eval(name, f"tool_mock_overrides.{tool}[{index}]", param)


def _check_tool(name: str, body: dict[str, Any]) -> None:
    params = body.get("tool_call_parameters") or {}
    ref = params.get("referenced_tool")
    if not ref or not str(ref.get("id") or "").strip():
        raise _fail(name, "a tool-call test needs tool_call_parameters.referenced_tool with an id")
    if ref.get("type") not in _TOOL_TYPES:
        raise _fail(name, f"referenced_tool.type must be one of {_TOOL_TYPES}")
    for index, param in enumerate(params.get("parameters") or []):
        _check_eval(name, f"parameters[{index}]", param)


def _check_llm(name: str, body: dict[str, Any]) -> None:
    if not str(body.get("success_condition") or "").strip():
        raise _fail(name, "a response test needs a success_condition")
    for key in ("success_examples", "failure_examples"):
        if not body.get(key):
            raise _fail(name, f"{key} must be a non-empty list")


def _first_errors(exc: ValidationError) -> str:
    """The first few problems, short: pydantic's full text lists every union branch it tried."""
    errors = exc.errors()
    shown = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:3]]
    return "; ".join(shown) + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")


def validate_test(body: dict[str, Any]) -> BaseModel:
    """Parse `body` (with its `type`) with the SDK's create-request model plus the API's rules.

    Returns the SDK model of the fields without `type`; raises `ConfigError` naming the first problem."""
    if not isinstance(body, dict):
        raise ConfigError("a test body must be a JSON object")
    kind = body.get("type")
    name = str(body.get("name") or "")
    if not name.strip():
        raise ConfigError("every test needs a non-empty name")
    fields = {k: v for k, v in body.items() if k != "type"}
    try:
        model = _model(str(kind)).model_validate(fields)
    except ValidationError as exc:
        raise _fail(name, f"rejected by the ElevenLabs SDK models: {_first_errors(exc)}") from exc
    try:
        reject_unknown_keys(model, "")
    except ConfigError as exc:
        raise _fail(name, exc.message) from exc
    _check_history(name, body.get("chat_history") or [])
    {"llm": _check_llm, "tool": _check_tool, "simulation": _check_simulation}[str(kind)](name, body)
    return model


def validate_suite(bodies: list[dict[str, Any]]) -> None:
    """Every body valid, and names unique (tests are matched by name)."""
    seen: set[str] = set()
    for body in bodies:
        validate_test(body)
        if body["name"] in seen:
            raise ConfigError(f"two tests are named {body['name']!r}; names must be unique")
        seen.add(body["name"])
