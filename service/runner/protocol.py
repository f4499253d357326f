"""The ElevenLabs conversation WebSocket protocol: parsing the client's frames, building server events.

Shapes follow ../shared/elevenlabs/agent.asyncapi.yaml and what both official SDKs send and accept
(see reference/elevenlabs-facts.md §1-2). Pure functions; the server in `server.py` does the I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

AUDIO_FORMAT = "pcm_16000"
SUBPROTOCOL = "convai"

# Client → server frame types we understand (user_audio_chunk has no type field).
CLIENT_TYPES = frozenset(
    {
        "conversation_initiation_client_data",
        "enclave_setup_config",
        "user_message",
        "user_audio_chunk",
        "contextual_update",
        "user_activity",
        "pong",
        "client_tool_result",
        "feedback",
        "mcp_tool_approval_result",
        "multimodal_message",
    }
)


class ProtocolError(Exception):
    """A frame the server cannot accept; the connection is closed with `close_code`."""

    def __init__(self, message: str, close_code: int = 1008) -> None:
        super().__init__(message)
        self.close_code = close_code


@dataclass
class InitData:
    """What `conversation_initiation_client_data` asked for."""

    first_message: str | None = None
    language: str | None = None
    prompt: str | None = None
    text_only: bool = False
    dynamic_variables: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    source: str | None = None
    client_events: list[str] = field(default_factory=list)


def parse_frame(raw: str | bytes) -> dict[str, Any]:
    """One client frame as a dict with a `type` (`user_audio_chunk` frames get one)."""
    try:
        msg = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("frame is not JSON") from exc
    if not isinstance(msg, dict):
        raise ProtocolError("frame is not a JSON object")
    if "type" not in msg and "user_audio_chunk" in msg:
        msg["type"] = "user_audio_chunk"
    kind = msg.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("frame has no type")
    if kind not in CLIENT_TYPES:
        raise ProtocolError(f"unknown message type {kind[:40]!r}")
    return msg


def parse_init(msg: dict[str, Any]) -> InitData:
    """Read the initiation frame: overrides (first message, language, prompt, text_only at either level),
    dynamic variables and user id."""
    override = msg.get("conversation_config_override") or {}
    if not isinstance(override, dict):
        raise ProtocolError("conversation_config_override must be an object")
    agent = override.get("agent") or {}
    conversation = override.get("conversation") or {}
    prompt = agent.get("prompt") or {}
    variables = msg.get("dynamic_variables") or {}
    if not isinstance(variables, dict):
        raise ProtocolError("dynamic_variables must be an object")
    source = msg.get("source_info") or {}
    text_only = bool(override.get("text_only") or (isinstance(conversation, dict) and conversation.get("text_only")))
    return InitData(
        first_message=agent.get("first_message") if isinstance(agent, dict) else None,
        language=agent.get("language") if isinstance(agent, dict) else None,
        prompt=prompt.get("prompt") if isinstance(prompt, dict) else None,
        text_only=text_only,
        dynamic_variables=dict(variables),
        user_id=msg.get("user_id") if isinstance(msg.get("user_id"), str) else None,
        source=source.get("source") if isinstance(source, dict) else None,
        client_events=list(conversation.get("client_events") or []) if isinstance(conversation, dict) else [],
    )


def metadata(conversation_id: str) -> dict[str, Any]:
    return {
        "type": "conversation_initiation_metadata",
        "conversation_initiation_metadata_event": {
            "conversation_id": conversation_id,
            "agent_output_audio_format": AUDIO_FORMAT,
            "user_input_audio_format": AUDIO_FORMAT,
        },
    }


def agent_response(text: str, event_id: int) -> dict[str, Any]:
    return {"type": "agent_response", "agent_response_event": {"agent_response": text, "event_id": event_id}}


def response_parts(text: str, event_id: int) -> list[dict[str, Any]]:
    """The streamed form of a reply (`agent_chat_response_part` start, delta, stop), sent before `agent_response`."""
    return [
        {"type": "agent_chat_response_part", "text_response_part": {"text": chunk, "type": kind, "event_id": event_id}}
        for kind, chunk in (("start", ""), ("delta", text), ("stop", ""))
    ]


def user_transcript(text: str, event_id: int) -> dict[str, Any]:
    return {"type": "user_transcript", "user_transcription_event": {"user_transcript": text, "event_id": event_id}}


def audio(b64: str, event_id: int) -> dict[str, Any]:
    return {"type": "audio", "audio_event": {"audio_base_64": b64, "event_id": event_id}}


def ping(event_id: int, ping_ms: int | None = None) -> dict[str, Any]:
    return {"type": "ping", "ping_event": {"event_id": event_id, "ping_ms": ping_ms}}


def interruption(event_id: int) -> dict[str, Any]:
    return {"type": "interruption", "interruption_event": {"event_id": event_id}}


def tool_request(name: str, call_id: str, event_id: int, tool_type: str = "webhook") -> dict[str, Any]:
    return {
        "type": "agent_tool_request",
        "agent_tool_request": {
            "tool_name": name,
            "tool_call_id": call_id,
            "tool_type": tool_type,
            "event_id": event_id,
        },
    }


def tool_response(
    name: str, call_id: str, event_id: int, *, is_error: bool, tool_type: str = "webhook"
) -> dict[str, Any]:
    return {
        "type": "agent_tool_response",
        "agent_tool_response": {
            "tool_name": name,
            "tool_call_id": call_id,
            "tool_type": tool_type,
            "is_error": is_error,
            "is_called": True,
            "event_id": event_id,
        },
    }


def client_tool_call(name: str, call_id: str, parameters: dict[str, Any], event_id: int) -> dict[str, Any]:
    return {
        "type": "client_tool_call",
        "client_tool_call": {
            "tool_name": name,
            "tool_call_id": call_id,
            "parameters": parameters,
            "event_id": event_id,
        },
    }


def error(code: int, message: str, error_type: str = "invalid_message") -> dict[str, Any]:
    return {
        "type": "error",
        "error_event": {"code": code, "message": message, "error_type": error_type, "reason": error_type},
    }
