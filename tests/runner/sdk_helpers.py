"""Drive a whole persona call through the official Python SDK (text only)."""

from __future__ import annotations

import queue
import warnings
from typing import Any

from elevenlabs.client import ElevenLabs

with warnings.catch_warnings():
    # elevenlabs 2.78 annotates with the deprecated websockets.WebSocketClientProtocol at import time.
    warnings.filterwarnings("ignore", "websockets.WebSocketClientProtocol is deprecated", DeprecationWarning)
    from elevenlabs.conversational_ai.conversation import ClientTools, Conversation, ConversationInitiationData

from service.runner.callers import Caller, Persona

__all__ = ["ClientTools", "python_sdk_call"]


def python_sdk_call(
    base_url: str,
    persona: Persona,
    *,
    dynamic_variables: dict[str, Any] | None = None,
    timeout: float = 30.0,
    requires_auth: bool = False,
    client_tools: ClientTools | None = None,
) -> dict[str, Any]:
    """Play `persona` with the SDK; returns agent lines, user lines and the disconnect details."""
    replies: queue.Queue[str] = queue.Queue()
    ended: queue.Queue[Any] = queue.Queue()
    client = ElevenLabs(api_key="dummy", base_url=base_url)
    conv = Conversation(
        client,
        "embedded-agent",
        user_id="sdk-user",
        requires_auth=requires_auth,
        config=ConversationInitiationData(dynamic_variables=dynamic_variables or {}),
        callback_agent_response=replies.put,
        callback_disconnect=ended.put,
        client_tools=client_tools,
    )
    caller = Caller(persona)
    agent_lines: list[str] = []
    user_lines: list[str] = []
    conv.start_session()  # type: ignore[no-untyped-call]
    try:
        while True:
            try:
                text = replies.get(timeout=timeout)
            except queue.Empty:
                break
            agent_lines.append(text)
            if "Thank you for calling" in text:
                break
            said = caller.respond(text)
            if said is None:
                break
            user_lines.append(said)
            conv.send_user_message(said)
        details = ended.get(timeout=timeout) if "Thank you for calling" in (agent_lines or [""])[-1] else None
    finally:
        conv.end_session()  # type: ignore[no-untyped-call]
        conv_id = conv.wait_for_session_end()
    if client_tools is not None:
        client_tools.stop()  # type: ignore[no-untyped-call]
    return {"agent": agent_lines, "user": user_lines, "disconnect": details, "conversation_id": conv_id}
