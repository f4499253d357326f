"""The ElevenLabs MCP-server configuration for the gateway's `/mcp`: the body of `POST /v1/convai/mcp-servers`.

One server instead of three webhooks. What the webhooks set per tool is carried over from the same
`ToolSpec`s (`generate.gateway_tools`), so the two ways cannot drift: the response timeout (server
level), and per tool, in `tool_config_overrides`, pre-tool speech, interruption mode and the
created-id assignment. The secret is a workspace-secret reference sent as the bearer token
(`secret_token`); the conversation id travels per call in `_meta` (`request_meta`, which the
platform resolves on every `tools/call`), where `/mcp` reads it when no header carries it.

Approval: `auto_approve_all` by default. A phone caller can't approve a tool call, and the tools
carry their own guards (read-only search and get; create refused without the required fields,
never a duplicate). `require_approval_all` is offered for supervised agents; per-tool approval
needs the platform's tool hashes, which only the platform computes, so it is refused here.

`validate_mcp_server_request` parses the body with the SDK's `McpServerConfigInput` and adds what the
API enforces: no unknown keys, an https URL, a timeout of 5-300 s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from service.errors import ConfigError
from service.tool_json.api_format import reject_unknown_keys
from service.tool_json.spec import ToolSpec

SERVER_NAME = "Salesforce tools (gateway)"
SERVER_DESCRIPTION = (
    "Search, get and create Salesforce records through the voice gateway: SOQL policy and repair, "
    "create guards and idempotency, answers in sentences an agent can speak."
)
FILE_NAME = "salesforce_mcp_server.json"
APPROVAL_POLICIES: tuple[str, ...] = ("auto_approve_all", "require_approval_all")
META_CONVERSATION_KEY = "conversation_id"  # read by service/mcp (CONVERSATION_META_KEY)
_OVERRIDE_KEYS = ("pre_tool_speech", "interruption_mode", "execution_mode")


def _override(spec: ToolSpec) -> dict[str, Any] | None:
    """The per-tool settings the webhook JSON gives `spec`, as an MCP tool override (None: none)."""
    override: dict[str, Any] = {key: getattr(spec, key) for key in _OVERRIDE_KEYS if getattr(spec, key) is not None}
    if spec.assignments:
        override["assignments"] = [
            {"source": "response", "dynamic_variable": a.dynamic_variable, "value_path": a.value_path}
            for a in spec.assignments
        ]
    return {"tool_name": spec.name, **override} if override else None


def mcp_server_request(
    tools: tuple[ToolSpec, ...], base_url: str, secret_id: str, approval_policy: str = "auto_approve_all"
) -> dict[str, Any]:
    """The create body for the gateway at `base_url`, with the settings of the webhook `tools`."""
    from service.tools.schemas import CONVERSATION_DYNAMIC_VARIABLE

    if approval_policy not in APPROVAL_POLICIES:
        raise ConfigError(
            f"--approval-policy must be one of {', '.join(APPROVAL_POLICIES)}, got {approval_policy!r}"
            + (" (per-tool approval needs hashes only the platform computes)" if "per_tool" in approval_policy else "")
        )
    if not secret_id.strip():
        raise ConfigError("--secret-id must name the ElevenLabs workspace secret holding the webhook secret")
    overrides = [o for o in map(_override, tools) if o is not None]
    config: dict[str, Any] = {
        "name": SERVER_NAME,
        "description": SERVER_DESCRIPTION,
        "url": base_url.rstrip("/") + "/mcp",
        "transport": "STREAMABLE_HTTP",
        "secret_token": {"secret_id": secret_id},
        "request_meta": {META_CONVERSATION_KEY: {"variable_name": CONVERSATION_DYNAMIC_VARIABLE}},
        "approval_policy": approval_policy,
        "response_timeout_secs": max(spec.response_timeout_secs for spec in tools),
        "tool_config_overrides": overrides,
    }
    return {"config": config}


def validate_mcp_server_request(body: dict[str, Any]) -> Any:
    """Parse `body` with `elevenlabs.McpServerConfigInput` plus the API's rules; returns the SDK model."""
    from elevenlabs import McpServerConfigInput

    unknown = set(body) - {"config"}
    if unknown or "config" not in body:
        raise ConfigError(f"an MCP server request is {{'config': …}}, got keys {sorted(body)}")
    try:
        model = McpServerConfigInput.model_validate(body["config"])
    except ValidationError as exc:
        raise ConfigError(f"MCP server config rejected by the ElevenLabs SDK models: {exc}") from exc
    reject_unknown_keys(model, "config")
    url = body["config"]["url"]
    if not isinstance(url, str) or urlsplit(url).scheme != "https":
        raise ConfigError(f"the MCP server URL must use https (the platform refuses others), got {url!r}")
    timeout = body["config"].get("response_timeout_secs", 20)
    if not 5 <= timeout <= 300:
        raise ConfigError(f"response_timeout_secs must be 5-300 for MCP servers, got {timeout}")
    return model


def mcp_agent_config(config: dict[str, Any], server: dict[str, Any]) -> dict[str, Any]:
    """`config` (an `agent_config` with webhook tools) reaching the tools through the MCP `server` instead.

    As with tools, the agent references the server by id: create it from `mcp_servers` (`POST
    /v1/convai/mcp-servers`) and put the id into `conversation_config.agent.prompt.mcp_server_ids`.
    """
    agent = {key: value for key, value in config.items() if key != "tools"}
    conversation = dict(agent["conversation_config"])
    conversation["agent"] = dict(conversation["agent"])
    prompt = dict(conversation["agent"]["prompt"])
    prompt["tool_ids"] = []
    prompt["mcp_server_ids"] = []
    conversation["agent"]["prompt"] = prompt
    agent["conversation_config"] = conversation
    agent["mcp_servers"] = [server]
    return agent


def validate_mcp_agent_config(config: dict[str, Any]) -> None:
    """The agent body checked as `validate_agent_config` does, and each MCP server request."""
    from service.tool_json.agent_config import validate_agent_config

    validate_agent_config({**{k: v for k, v in config.items() if k != "mcp_servers"}, "tools": []})
    for server in config["mcp_servers"]:
        validate_mcp_server_request(server)
