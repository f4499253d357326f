"""`agent-server`: when a session ends, its post-call event reaches the gateway and becomes one Task."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from service.calls_log.closing import session_end_hook
from service.runner.callers import Caller, load_persona
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread, Stack

INIT = {"type": "conversation_initiation_client_data", "conversation_config_override": {"text_only": True}}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, ServerThread]]:
    """Org + gateway, and the agent server with the end-of-session hook."""
    with Stack(data_dir=tmp_path_factory.mktemp("org")) as stack:
        app = create_agent_server(stack.executor(), on_session_end=session_end_hook(stack.post_call_logger()))
        with ServerThread(app) as server:
            yield stack, server


async def _session(server: ServerThread, persona: str) -> str:
    """Play the persona over the socket until the agent ends the call; the conversation id."""
    caller = Caller(load_persona(persona, tag="as"))
    conversation = ""
    url = server.url.replace("http://", "ws://") + "/v1/convai/conversation?agent_id=a"
    async with connect(url, subprotocols=[Subprotocol("convai")]) as ws:
        await ws.send(json.dumps(INIT))
        try:
            while True:
                msg: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if msg["type"] == "conversation_initiation_metadata":
                    conversation = msg["conversation_initiation_metadata_event"]["conversation_id"]
                elif msg["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong", "event_id": msg["ping_event"]["event_id"]}))
                elif msg["type"] == "agent_response":
                    said = caller.respond(msg["agent_response_event"]["agent_response"])
                    if said is not None:
                        await ws.send(json.dumps({"type": "user_message", "text": said}))
        except ConnectionClosed:
            pass
    return conversation


async def test_session_end_logs_one_task(servers: tuple[Stack, ServerThread]) -> None:
    """A new prospect's session creates a Lead; after it ends there is one Task on that Lead."""
    stack, server = servers
    conversation = await _session(server, "new-prospect")
    assert stack.gateway_url and stack.secret
    async with httpx2.AsyncClient(base_url=stack.gateway_url, headers={"X-Webhook-Secret": stack.secret}) as client:
        stop = time.monotonic() + 20
        while True:
            doc = (await client.get(f"/webhooks/elevenlabs/post-call/{conversation}")).json()
            if doc["tasks"] or time.monotonic() > stop:
                break
            await asyncio.sleep(0.1)
        leads = await client.get(
            "/tools/salesforce_search_records",
            params={"q": "SELECT Id FROM Lead WHERE Email = 'priya.natarajanas@brightwave-analytics.com'"},
        )
    [task] = doc["tasks"]
    [lead] = leads.json()["records"]
    assert task["WhoId"][:15] == lead["Id"][:15]
    assert task["Subject"] == "Call with Salesforce sales assistant: created Lead"
