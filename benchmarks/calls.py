"""`python -m benchmarks.calls [--calls 50] [--concurrency 50]`: concurrent text calls over the
conversation WebSocket (agent server → webhook tools → gateway → embedded org, all on loopback).

Prints p50/p95 turn latency (caller message sent → agent reply received, tool calls included) and
calls per minute (a table: rich on a terminal, plain columns otherwise). No assertions: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from service.runner.callers import PERSONA_NAMES, Caller, load_persona
from service.runner.server import create_agent_server
from service.runner.session import prepare_fixtures
from service.runner.stack import ServerThread, Stack
from service.runner.terminal import print_table, progress, right

INIT = {
    "type": "conversation_initiation_client_data",
    "conversation_config_override": {"text_only": True},
    "dynamic_variables": {},
    "user_id": "bench",
}


async def one_call(url: str, persona_name: str, tag: str) -> tuple[list[tuple[float, int]], bool]:
    """Play one persona; returns (turn latency ms, tool calls in the turn) per turn and whether it ended."""
    caller = Caller(load_persona(persona_name, tag=tag))
    latencies: list[tuple[float, int]] = []
    sent_at: float | None = None
    tools_in_turn = 0
    ended = False
    async with connect(url, subprotocols=[Subprotocol("convai")], max_size=2**24) as ws:
        await ws.send(json.dumps(INIT))
        async for raw in ws:
            msg = json.loads(raw)
            kind = msg["type"]
            if kind == "ping":
                await ws.send(json.dumps({"type": "pong", "event_id": msg["ping_event"]["event_id"]}))
            elif kind == "agent_tool_response" and msg["agent_tool_response"]["tool_name"] == "end_call":
                ended = True
            elif kind == "agent_tool_request":
                tools_in_turn += 1
            elif kind == "agent_response":
                if sent_at is not None:
                    latencies.append(((time.perf_counter() - sent_at) * 1000, tools_in_turn))
                tools_in_turn = 0
                text = msg["agent_response_event"]["agent_response"]
                said = caller.respond(text)
                if said is None:
                    break  # the hang-up persona just leaves
                if "Thank you for calling" not in text:
                    sent_at = time.perf_counter()
                    await ws.send(json.dumps({"type": "user_message", "text": said}))
    return latencies, ended or persona_name == "hang-up"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def fixtures(stack: Stack, calls: int) -> None:
    """The records the existing-* personas expect, created before the clock starts."""
    executor = stack.executor()
    try:
        for i in range(calls):
            await prepare_fixtures(load_persona(PERSONA_NAMES[i % len(PERSONA_NAMES)], tag=f"b{i}"), executor)
    finally:
        await executor.aclose()


async def run(url: str, calls: int, concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    with progress(calls, "calls") as advance:

        async def guarded(i: int) -> tuple[list[tuple[float, int]], bool]:
            async with gate:
                result = await one_call(url, PERSONA_NAMES[i % len(PERSONA_NAMES)], f"b{i}")
            advance(PERSONA_NAMES[i % len(PERSONA_NAMES)])
            return result

        start = time.perf_counter()
        results = await asyncio.gather(*(guarded(i) for i in range(calls)))
        elapsed = time.perf_counter() - start
    turns = [t for lat, _ in results for t in lat]
    latencies = [ms for ms, _n in turns]
    with_tools = [ms for ms, n in turns if n]
    completed = sum(1 for _, ok in results if ok)
    print(f"calls: {calls} ({completed} completed), concurrency {concurrency}, turns: {len(latencies)}")
    rows = [
        [
            label,
            len(group),
            *(f"{v:.1f}" for v in (pct(group, 0.5), pct(group, 0.95), mean(group), max(group, default=0))),
        ]
        for label, group in (("all turns", latencies), ("turns with tool calls", with_tools))
    ]
    print_table(
        ["turn latency", right("turns"), right("p50 ms"), right("p95 ms"), right("mean ms"), right("max ms")], rows
    )
    print(f"wall time: {elapsed:.2f} s   calls per minute: {calls / elapsed * 60:.0f}")


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--gateway",
        help="a running gateway (WEBHOOK_SECRET from the environment); default: embedded org + gateway in this process",
    )
    args = parser.parse_args()
    secret = os.environ.get("WEBHOOK_SECRET")
    with (
        tempfile.TemporaryDirectory() as data,
        Stack(data_dir=Path(data), gateway_url=args.gateway, secret=secret) as stack,
    ):
        asyncio.run(fixtures(stack, args.calls))
        app = create_agent_server(stack.executor(), ping_interval=5.0)
        with ServerThread(app) as server:
            url = server.url.replace("http://", "ws://") + "/v1/convai/conversation?agent_id=bench"
            asyncio.run(run(url, args.calls, args.concurrency))


if __name__ == "__main__":
    main()
