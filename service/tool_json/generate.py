"""Build the three tool specs for a target: the gateway (default) or Salesforce directly.

Gateway texts and parameter lists come from `service/tools/schemas.py`, the models the gateway itself
validates with, so the tool JSON and the webhooks cannot disagree. The texts that name limits and
objects are generated from the settings in force (`SOQL_*`, `ALLOWED_OBJECTS`; default: the
environment's), exactly as the running gateway's `/docs` describes them.

Timeouts: the gateway answers within its budget (`TOOL_TIMEOUT`, 18 s by default) - with a speakable
timeout error if Salesforce is slow. The platform must wait a little longer than that, or its own
timeout fires first and the agent gets an opaque failure instead of the gateway's sentence. So
`response_timeout_secs = ceil(budget) + 2`, which is 20 s (the platform's default) for the default
budget, clamped to the webhook range 5-300 s.
"""

from __future__ import annotations

import math
import re
import types
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

from service.errors import ConfigError
from service.settings import Settings, get_settings
from service.tool_json.direct import SEED_API_VERSION, SEED_DOMAIN, direct_tools
from service.tool_json.spec import Assignment, Body, Header, Param, ToolSpec, ValueType

Target = Literal["gateway", "direct"]
TARGETS: tuple[str, ...] = ("gateway", "direct")

PLACEHOLDER_BASE_URL = "https://your-gateway.example.com"
PLACEHOLDER_SECRET_ID = "YOUR_WEBHOOK_SECRET_ID"  # noqa: S105 - a placeholder for the workspace secret's id
DEFAULT_GATEWAY_TIMEOUT = 18.0
CREATED_ID_VARIABLE = "salesforce_created_record_id"

_JSON_TYPES: dict[type, ValueType] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def check_base_url(url: str, what: str = "--base-url") -> str:
    """An absolute http(s) URL with a host and no query or fragment; returned without trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"{what} must be an absolute http(s) URL like https://gateway.example.com, got {url!r}")
    return url.rstrip("/")


def response_timeout(gateway_timeout: float) -> int:
    """Platform wait for a gateway budget of `gateway_timeout` seconds (see the module docstring)."""
    return max(5, min(300, math.ceil(gateway_timeout) + 2))


def _json_type(annotation: Any) -> ValueType:
    """JSON literal type of a pydantic field annotation such as `str | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if annotation not in _JSON_TYPES:
        raise ConfigError(f"create field type {annotation!r} has no JSON literal type")
    return _JSON_TYPES[annotation]


def gateway_tools(
    base_url: str = PLACEHOLDER_BASE_URL,
    secret_id: str = PLACEHOLDER_SECRET_ID,
    gateway_timeout: float = DEFAULT_GATEWAY_TIMEOUT,
    settings: Settings | None = None,
) -> tuple[ToolSpec, ...]:
    """Search, get and create tools pointing at the gateway at `base_url`, for `settings`' limits."""
    from service.tools import schemas as s

    settings = settings or get_settings()

    base = check_base_url(base_url)
    if not secret_id.strip():
        raise ConfigError("--secret-id must name the ElevenLabs workspace secret holding the webhook secret")
    headers = (
        Header(s.SECRET_HEADER, "secret", secret_id),
        Header(s.CONVERSATION_HEADER, "dynamic_variable", s.CONVERSATION_DYNAMIC_VARIABLE),
    )
    common: dict[str, Any] = {
        "headers": headers,
        "response_timeout_secs": response_timeout(gateway_timeout),
        "tool_error_handling_mode": "passthrough",  # the default hides webhook errors from the agent
    }
    search = ToolSpec(
        name=s.SEARCH_TOOL,
        description=s.SEARCH_DESCRIPTION,
        url=base + s.SEARCH_PATH,
        method="GET",
        query_params=(Param("q", s.q_description(settings)),),
        pre_tool_speech="force",  # "say you will check for any existing records" (seed prompt)
        **common,
    )
    get = ToolSpec(
        name=s.GET_TOOL,
        description=s.GET_DESCRIPTION,
        url=base + s.GET_PATH,
        method="GET",
        path_params=(
            Param("object_type", s.object_type_description(settings), enum=settings.allowed_object_names),
            Param("record_id", s.RECORD_ID_DESCRIPTION),
        ),
        **common,
    )
    fields = tuple(
        Param(name, info.description or name, type=_json_type(info.annotation), required=False)
        for name, info in s.CreateFields.model_fields.items()
    )
    create = ToolSpec(
        name=s.CREATE_TOOL,
        description=s.create_description(settings),
        url=base + s.CREATE_PATH,
        method="POST",
        path_params=(
            Param("object_type", s.create_object_type_description(settings), enum=s.create_objects(settings)),
        ),
        body=Body("record_data", s.BODY_DESCRIPTION, fields),
        interruption_mode="disable_during_tool",  # a half-heard confirmation must not cut a write short
        assignments=(Assignment(CREATED_ID_VARIABLE, "id"),),
        **common,
    )
    return search, get, create


def check_direct(domain: str, api_version: str) -> tuple[str, str]:
    """Validated `--domain` and `--api-version` for the direct target."""
    domain = check_base_url(domain, "--domain")
    if not re.fullmatch(r"v\d+\.\d+", api_version):
        raise ConfigError(f"--api-version must look like v58.0, got {api_version!r}")
    return domain, api_version


def build_tools(
    target: str = "gateway",
    *,
    base_url: str = PLACEHOLDER_BASE_URL,
    secret_id: str = PLACEHOLDER_SECRET_ID,
    gateway_timeout: float = DEFAULT_GATEWAY_TIMEOUT,
    domain: str = SEED_DOMAIN,
    api_version: str = SEED_API_VERSION,
    settings: Settings | None = None,
) -> tuple[ToolSpec, ...]:
    """The three tools for `target` (gateway texts from `settings`); raises `ConfigError` on bad input."""
    if target == "gateway":
        return gateway_tools(base_url, secret_id, gateway_timeout, settings)
    if target == "direct":
        return direct_tools(*check_direct(domain, api_version))
    raise ConfigError(f"unknown target {target!r}: choose one of {', '.join(TARGETS)}")
