"""An agent config in the API format: the seed's system prompt, a first message, the three tools, and the
post-call analysis (data collection and evaluation criteria for the seed's qualification goals).

The top level is the body of `POST /v1/convai/agents/create` (`name`, `conversation_config`, `tags`).
Inline tools were removed from agents (they are referenced by id), so the three tool requests sit
next to it under `tools`: create them with `tools push`, put the printed ids into
`conversation_config.agent.prompt.tool_ids`, and send the rest as is.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from service.calls_log.qualification import EVALUATION, QUALIFICATION
from service.errors import ConfigError
from service.tool_json.api_format import reject_unknown_keys, tool_request, validate_tool_request
from service.tool_json.spec import ToolSpec

AGENT_NAME = "Salesforce sales assistant"
FIRST_MESSAGE = (
    "Hi, thanks for calling! I'm the sales assistant. What's your business working on, "
    "and what challenges can I help you with today?"
)


@lru_cache
def system_prompt() -> str:
    """The seed's "Detailed system prompt", shipped as package data."""
    return resources.files("service.tool_json").joinpath("system_prompt.txt").read_text(encoding="utf-8")


def agent_config(tools: tuple[ToolSpec, ...]) -> dict[str, Any]:
    """The agent create body plus the tool requests it needs."""
    return {
        "name": AGENT_NAME,
        "tags": ["salesforce"],
        "conversation_config": {
            "agent": {
                "first_message": FIRST_MESSAGE,
                "language": "en",
                "prompt": {
                    "prompt": system_prompt(),
                    "tool_ids": [],
                    "built_in_tools": {
                        "end_call": {
                            "type": "system",
                            "name": "end_call",
                            "description": "",
                            "params": {"system_tool_type": "end_call"},
                        }
                    },
                },
            }
        },
        "platform_settings": analysis_settings(),
        "tools": [tool_request(spec) for spec in tools],
    }


def analysis_settings() -> dict[str, Any]:
    """Data collection for the seed's qualification goals and the evaluation criteria of a good call:
    what the post-call webhook carries and the gateway writes into the call's Task."""
    return {
        "data_collection": {
            key: {"type": "string", "description": description} for key, _label, description in QUALIFICATION
        },
        "evaluation": {
            "criteria": [
                {"id": key, "name": name, "type": "prompt", "conversation_goal_prompt": goal}
                for key, name, goal in EVALUATION
            ]
        },
    }


def validate_agent_config(config: dict[str, Any]) -> None:
    """Check the create body with the SDK's `ConversationalConfig` and every tool with `validate_tool_request`."""
    from elevenlabs import ConversationalConfig

    try:
        model = ConversationalConfig.model_validate(config["conversation_config"])
    except ValidationError as exc:
        raise ConfigError(f"agent config rejected by the ElevenLabs SDK models: {exc}") from exc
    reject_unknown_keys(model, "conversation_config")
    if "platform_settings" in config:
        from elevenlabs.types.agent_platform_settings_request_model import AgentPlatformSettingsRequestModel

        try:
            platform = AgentPlatformSettingsRequestModel.model_validate(config["platform_settings"])
        except ValidationError as exc:
            raise ConfigError(f"agent platform settings rejected by the ElevenLabs SDK models: {exc}") from exc
        reject_unknown_keys(platform, "platform_settings")
    unknown = set(config) - {"name", "tags", "conversation_config", "platform_settings", "tools"}
    if unknown:
        raise ConfigError(f"unknown agent key(s) {sorted(unknown)}")
    for body in config["tools"]:
        validate_tool_request(body)
