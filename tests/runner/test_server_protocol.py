"""The agent server's protocol behaviour and its handling of bad client input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runner_fake_gateway import executor_for, fake_gateway
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from service.runner.callers import Caller, load_persona
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread

INIT = {
    "type": "conversation_initiation_client_data",
    "conversation_config_override": {
        "agent": {"first_message": "Hello {{caller_name}}, how can I help your business today?", "language": "en"},
        "conversation": {"text_only": True},
    },
    "dynamic_variables": {"caller_name": "Bob"},
    "user_id": "u1",
}


@pytest.fixture
def server(tools_dir: Path) -> Iterator[ServerThread]:
    gateway = fake_gateway("test-secret")
    executor = executor_for(gateway, tools_dir)
    app = create_agent_server(executor, ping_interval=0.05, client_tools=("show_summary",))
    with ServerThread(app) as srv:
        yield srv


def ws_url(srv: ServerThread) -> str:
    return srv.url.replace("http://", "ws://") + "/v1/convai/conversation?agent_id=a"


async def recv_until(ws: ClientConnection, kind: str, limit: int = 200) -> dict[str, Any]:
    for _ in range(limit):
        msg: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind}")


async def full_call(srv: ServerThread, persona_name: str, tag: str) -> list[dict[str, Any]]:
    """Play a persona over a raw socket; returns every server frame."""
    caller = Caller(load_persona(persona_name, tag=tag))
    frames: list[dict[str, Any]] = []
    async with connect(ws_url(srv), subprotocols=[Subprotocol("convai")]) as ws:
        await ws.send(json.dumps({**INIT, "conversation_config_override": {"conversation": {"text_only": True}}}))
        try:
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                frames.append(msg)
                if msg["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong", "event_id": msg["ping_event"]["event_id"]}))
                elif msg["type"] == "client_tool_call":
                    await ws.send(
                        json.dumps(
                            {
                                "type": "client_tool_result",
                                "is_error": False,
                                "result": "shown",
                                "tool_call_id": msg["client_tool_call"]["tool_call_id"],
                            }
                        )
                    )
                elif msg["type"] == "agent_response":
                    text = msg["agent_response_event"]["agent_response"]
                    said = caller.respond(text)
                    if said is not None and "Thank you for calling" not in text:
                        await ws.send(json.dumps({"type": "user_message", "text": said}))
        except ConnectionClosed as exc:
            frames.append({"type": "_closed", "code": exc.rcvd.code if exc.rcvd else None})
    return frames


async def test_metadata_first_once_with_overrides_and_subprotocol(server: ServerThread) -> None:
    """convai is selected; metadata comes first, once, pcm_16000; first message and variables are honoured."""
    async with connect(ws_url(server), subprotocols=[Subprotocol("convai")]) as ws:
        assert ws.subprotocol == "convai"
        await ws.send(json.dumps(INIT))
        first = json.loads(await ws.recv())
        assert first["type"] == "conversation_initiation_metadata"
        meta = first["conversation_initiation_metadata_event"]
        assert meta["agent_output_audio_format"] == meta["user_input_audio_format"] == "pcm_16000"
        hello = await recv_until(ws, "agent_response")
        assert hello["agent_response_event"]["agent_response"].startswith("Hello Bob")
        first_ping = await recv_until(ws, "ping")
        assert first_ping["ping_event"]["ping_ms"] is None
        await ws.send(json.dumps({"type": "pong", "event_id": first_ping["ping_event"]["event_id"]}))
        second_ping = await recv_until(ws, "ping")
        assert isinstance(second_ping["ping_event"]["ping_ms"], int)  # the measured round trip
        await ws.send(json.dumps({"type": "contextual_update", "text": "CRM: warm", "context_id": "crm"}))
        await ws.send(json.dumps({"type": "user_activity"}))
        await ws.send(json.dumps({"type": "feedback", "score": "like", "event_id": 1}))
        await ws.send(json.dumps({"type": "user_message", "text": "We need help with our sales pipeline."}))
        echoed = await recv_until(ws, "user_transcript")
        assert echoed["user_transcription_event"]["user_transcript"] == "We need help with our sales pipeline."
    conv = server.app.state.conversations[-1]
    assert sum(1 for e in conv.log if e["event"] == "init") == 1


async def test_whole_call_emits_tool_events_and_end_call(server: ServerThread) -> None:
    """Tool requests/responses for webhook tools, end_call as agent_tool_response, then close 1000."""
    frames = await full_call(server, "new-prospect", "")
    kinds = [f["type"] for f in frames]
    assert kinds[0] == "conversation_initiation_metadata" and kinds.count("conversation_initiation_metadata") == 1
    tools = [f["agent_tool_request"]["tool_name"] for f in frames if f["type"] == "agent_tool_request"]
    assert "salesforce_search_records" in tools and "salesforce_create_record" in tools
    assert [f["client_tool_call"]["tool_name"] for f in frames if f["type"] == "client_tool_call"] == ["show_summary"]
    end = [
        f for f in frames if f["type"] == "agent_tool_response" and f["agent_tool_response"]["tool_name"] == "end_call"
    ]
    assert len(end) == 1 and frames[-1] == {"type": "_closed", "code": 1000}
    ids = [f[k]["event_id"] for f in frames for k in f if isinstance(f[k], dict) and "event_id" in f[k]]
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    "bad",
    [
        "this is not json",
        json.dumps({"type": "teleport_me"}),
        json.dumps([1, 2, 3]),
        json.dumps({"type": "client_tool_result", "tool_call_id": "nobody-asked", "result": "x", "is_error": False}),
        json.dumps(INIT),
    ],
)
async def test_bad_input_closes_only_that_conversation(server: ServerThread, bad: str) -> None:
    """Garbage, unknown types, a result for an unknown tool id or a second init: 1008; a parallel call finishes."""
    other = asyncio.create_task(full_call(server, "new-prospect", "9"))
    async with connect(ws_url(server), subprotocols=[Subprotocol("convai")]) as ws:
        await ws.send(json.dumps(INIT))
        await recv_until(ws, "agent_response")
        await ws.send(bad)
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(100):
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    frames = await other
    assert frames[-1] == {"type": "_closed", "code": 1000}


async def test_first_frame_must_be_initiation(server: ServerThread) -> None:
    """A conversation that starts with anything else is refused with 1008 and no metadata."""
    async with connect(ws_url(server)) as ws:
        await ws.send(json.dumps({"type": "user_message", "text": "hi"}))
        msg = json.loads(await ws.recv())
        assert msg["type"] == "error"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_vanished_client_is_cleaned_up(server: ServerThread) -> None:
    """A client that disappears mid-call ends its conversation; the server keeps serving others."""
    ws = await connect(ws_url(server))
    await ws.send(json.dumps(INIT))
    await recv_until(ws, "agent_response")
    await ws.send(json.dumps({"type": "user_message", "text": "We need a better CRM."}))
    ws.transport.abort()  # no close frame: the TCP connection just goes away
    frames = await full_call(server, "off-topic", "3")
    assert frames[-1] == {"type": "_closed", "code": 1000}
    for _ in range(100):
        gone = [c for c in server.app.state.conversations if any(e["event"] == "client_gone" for e in c.log)]
        if gone:
            break
        await asyncio.sleep(0.05)
    assert gone


async def test_maximum_duration_ends_the_conversation(tools_dir: Path) -> None:
    """A conversation past its maximum duration gets max_duration_exceeded and a normal close."""
    gateway = fake_gateway("test-secret")
    executor = executor_for(gateway, tools_dir)
    with ServerThread(create_agent_server(executor, max_duration=0.3)) as srv:
        async with connect(ws_url(srv)) as ws:
            await ws.send(json.dumps(INIT))
            error = await recv_until(ws, "error")
            assert error["error_event"]["error_type"] == "max_duration_exceeded"
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


async def test_replies_are_also_streamed_as_parts(server: ServerThread) -> None:
    """Each reply comes as agent_chat_response_part start/delta/stop, then agent_response, one event id."""
    async with connect(ws_url(server)) as ws:
        await ws.send(json.dumps(INIT))
        parts = [await recv_until(ws, "agent_chat_response_part") for _ in range(3)]
        response = await recv_until(ws, "agent_response")
    kinds = [p["text_response_part"]["type"] for p in parts]
    assert kinds == ["start", "delta", "stop"]
    assert parts[1]["text_response_part"]["text"] == response["agent_response_event"]["agent_response"]
    assert {p["text_response_part"]["event_id"] for p in parts} == {response["agent_response_event"]["event_id"]}
