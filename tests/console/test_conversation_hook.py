"""The agent server's event hook (what the console builds its call records from): what it sees, and that a
failing hook cannot break a conversation. Text-only sessions over a real loopback WebSocket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from service.runner.conversation import Conversation
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread
from service.runner.webhooks import WebhookExecutor

INIT = {
    "type": "conversation_initiation_client_data",
    "conversation_config_override": {"conversation": {"text_only": True}},
}


async def _greeting_then_hang_up(on_event: Any) -> list[dict[str, Any]]:
    """Open a session, read until the greeting, close; the server frames seen."""
    executor = WebhookExecutor({}, base_url="http://127.0.0.1:9", secret="unused")  # no tool is called
    app = create_agent_server(executor, ping_interval=30, on_event=on_event)
    frames: list[dict[str, Any]] = []
    with ServerThread(app) as server:
        async with websockets.connect(server.url.replace("http", "ws") + "/v1/convai/conversation") as ws:
            await ws.send(json.dumps(INIT))
            while not frames or frames[-1]["type"] != "agent_response":
                frames.append(json.loads(await ws.recv()))
    return frames


async def test_the_hook_sees_init_lines_and_the_close() -> None:
    """init, the greeting (an `agent` entry) and `closed` reach the hook, with the conversation they belong to."""
    seen: list[tuple[str, str]] = []

    def hook(conv: Conversation, event: dict[str, Any]) -> None:
        seen.append((conv.id, str(event["event"])))

    frames = await _greeting_then_hang_up(hook)
    for _ in range(100):
        if seen and seen[-1][1] == "closed":
            break
        await asyncio.sleep(0.02)
    conv_id = frames[0]["conversation_initiation_metadata_event"]["conversation_id"]
    assert [kind for cid, kind in seen if cid == conv_id][:2] == ["init", "agent"]
    assert seen[-1] == (conv_id, "closed") and "client_gone" in [kind for _cid, kind in seen]


async def test_a_failing_hook_does_not_break_the_conversation() -> None:
    """A hook that raises is logged; the client still gets the metadata and the greeting."""

    def hook(conv: Conversation, event: dict[str, Any]) -> None:
        raise RuntimeError("listener bug")

    frames = await _greeting_then_hang_up(hook)
    assert frames[0]["type"] == "conversation_initiation_metadata" and frames[-1]["type"] == "agent_response"
