"""Push the generated tools to an ElevenLabs workspace and diff them, through the official SDK.

Tools are matched by name. Comparison is on a canonical form of both sides: the API answers with
every field filled in (nulls, empty lists, platform defaults), while the generated JSON leaves most
defaults out. So nulls and empties are dropped on both sides, a field only the API has is ignored
when it holds the platform default, and a field the API left out counts as its default. What still
differs is real drift.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Literal

from service.errors import ConfigError

# Field defaults of the tools API (elevenlabs-facts §3.1); a deployed value equal to one of these
# is the same as leaving the field out.
_DEFAULTS: dict[str, Any] = {
    "response_timeout_secs": 20,
    "disable_interruptions": False,
    "interruption_mode": "allow",
    "force_pre_tool_speech": False,
    "pre_tool_speech": "auto",
    "tool_call_sound_behavior": "auto",
    "tool_error_handling_mode": "auto",
    "execution_mode": "immediate",
    "follow_redirects": False,
    "method": "GET",
    "content_type": "application/json",
    "sanitize": False,
    "preserve_native_type": False,
    "is_system_provided": False,
    "is_omitted": False,
}

Action = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class PushResult:
    name: str
    action: Action
    tool_id: str


@dataclass(frozen=True)
class ToolDiff:
    name: str
    status: Literal["same", "drift", "missing"]
    text: str  # unified diff, deployed → generated (empty when same)


def make_client(api_key: str, base_url: str | None = None, timeout: float = 30.0) -> Any:
    """The official SDK client; `base_url` points it at another host (a proxy, or a local fake)."""
    from elevenlabs import ElevenLabs

    if base_url:
        return ElevenLabs(api_key=api_key, base_url=base_url.rstrip("/"), timeout=timeout)
    return ElevenLabs(api_key=api_key, timeout=timeout)


def _clean(value: Any) -> Any:
    """`value` without nulls, empty strings and empty containers (recursively).

    The API answers unset value sources as `""` (`"dynamic_variable": "", "constant_value": ""`),
    the way the dashboard format shows them."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _clean(item)
            if item is not None and item != "" and item != [] and item != {}:
                out[key] = item
        return out
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _is_default(key: str, value: Any) -> bool:
    default = _DEFAULTS.get(key, _MISSING)
    return value == default and type(value) is type(default)


_MISSING = object()


def _align(deployed: Any, generated: Any) -> Any:
    """`deployed` as it compares to `generated`: fields only the API filled in at their defaults are
    dropped, and fields the API left out count as the default."""
    if isinstance(deployed, dict) and isinstance(generated, dict):
        out = {}
        for key, item in deployed.items():
            if key in generated:
                out[key] = _align(item, generated[key])
            elif not _is_default(key, item):
                out[key] = item
        for key, item in generated.items():
            if key not in deployed and _is_default(key, item):
                out[key] = item
        return out
    if isinstance(deployed, list) and isinstance(generated, list) and len(deployed) == len(generated):
        return [_align(d, g) for d, g in zip(deployed, generated, strict=True)]
    return deployed


def canonical(deployed: dict[str, Any], generated: dict[str, Any]) -> tuple[Any, Any]:
    """Both configs in comparable form: equal exactly when there is no drift."""
    gen = _clean(generated)
    return _align(_clean(deployed), gen), gen


def _config_dict(tool: Any) -> dict[str, Any]:
    config = tool.tool_config
    data = config.model_dump(mode="json", by_alias=True) if hasattr(config, "model_dump") else dict(config)
    return dict(data)


def sdk_call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one SDK call; API refusals and transport failures become a `ConfigError` that says which."""
    from elevenlabs.core.api_error import ApiError

    try:
        return fn(*args, **kwargs)
    except ApiError as exc:
        raise ConfigError(f"ElevenLabs refused {what}: HTTP {exc.status_code}: {exc.body}") from exc
    except Exception as exc:
        # The SDK's transport errors (connection refused, timeouts) come from its own HTTP stack.
        if type(exc).__module__.split(".")[0] in ("httpx", "httpcore"):
            raise ConfigError(f"cannot reach ElevenLabs for {what}: {exc}") from exc
        raise


def deployed_tools(client: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every tool in the workspace by name: (id, tool_config as a dict). First one wins on duplicates."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    cursor: str | None = None
    while True:
        page = sdk_call("listing tools", client.conversational_ai.tools.list, page_size=100, cursor=cursor)
        for tool in page.tools:
            config = _config_dict(tool)
            found.setdefault(str(config.get("name")), (tool.id, config))
        if not page.has_more or not page.next_cursor:
            return found
        cursor = page.next_cursor


def _request_model(body: dict[str, Any]) -> Any:
    from service.tool_json.api_format import validate_tool_request

    return validate_tool_request(body)


def _render(config: Any) -> list[str]:
    return json.dumps(config, indent=2, sort_keys=True).splitlines(keepends=True)


def diff_one(name: str, deployed: dict[str, Any] | None, generated: dict[str, Any]) -> ToolDiff:
    """Compare one deployed tool_config with the generated one."""
    if deployed is None:
        return ToolDiff(name, "missing", f"{name}: not deployed\n")
    dep, gen = canonical(deployed, generated)
    if dep == gen:
        return ToolDiff(name, "same", "")
    lines = difflib.unified_diff(_render(dep), _render(gen), fromfile=f"deployed/{name}", tofile=f"generated/{name}")
    return ToolDiff(name, "drift", "".join(lines))


def diff(client: Any, requests: list[dict[str, Any]]) -> list[ToolDiff]:
    """One `ToolDiff` per generated tool request."""
    deployed = deployed_tools(client)
    results = []
    for body in requests:
        config = body["tool_config"]
        entry = deployed.get(config["name"])
        results.append(diff_one(config["name"], entry[1] if entry else None, config))
    return results


def push(client: Any, requests: list[dict[str, Any]]) -> list[PushResult]:
    """Create missing tools and update drifted ones (matched by name); unchanged ones are left alone."""
    models = [_request_model(body) for body in requests]  # validate everything before writing anything
    deployed = deployed_tools(client)
    tools = client.conversational_ai.tools
    results = []
    for body, model in zip(requests, models, strict=True):
        name = body["tool_config"]["name"]
        entry = deployed.get(name)
        if entry is None:
            created = sdk_call(f"creating {name}", tools.create, request=model)
            results.append(PushResult(name, "created", created.id))
        elif diff_one(name, entry[1], body["tool_config"]).status == "same":
            results.append(PushResult(name, "unchanged", entry[0]))
        else:
            sdk_call(f"updating {name}", tools.update, entry[0], request=model)
            results.append(PushResult(name, "updated", entry[0]))
    return results
