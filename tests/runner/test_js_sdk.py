"""The official JS SDK (@elevenlabs/client, text only, signedUrl) holds a whole call with the agent server."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from runner_fake_gateway import executor_for, fake_gateway

from service.runner.callers import Caller, Persona, load_persona
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread, Stack

JS_DIR = Path(__file__).resolve().parents[1] / "js"

pytestmark = pytest.mark.node


def _require_node() -> str:
    node = shutil.which("node")
    missing = not (JS_DIR / "node_modules" / "@elevenlabs" / "client").is_dir()
    if node is None or missing:
        if os.environ.get("CI"):
            pytest.fail("node and tests/js/node_modules are required in CI (cd tests/js && npm ci)")
        pytest.skip("needs node and `cd tests/js && npm ci`")
    return node


def _js_call(node: str, app: FastAPI, persona: Persona) -> list[dict[str, Any]]:
    caller = Caller(persona)
    events: list[dict[str, Any]] = []
    with ServerThread(app) as server:
        proc = subprocess.Popen(
            [node, "call.mjs", server.url],
            cwd=JS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        try:
            while True:
                event = json.loads(lines.get(timeout=30))
                events.append(event)
                if event["event"] == "disconnect":
                    break
                if event["event"] == "agent" and "Thank you for calling" not in event["text"]:
                    said = caller.respond(event["text"])
                    stdin.write(json.dumps({"say": said}) + "\n")
                    stdin.flush()
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    return events


def test_js_sdk_call_creates_the_lead(tools_dir: Path) -> None:
    """A whole new-prospect call through @elevenlabs/client ends by the agent, with the Lead created."""
    node = _require_node()
    gateway = fake_gateway("test-secret")
    executor = executor_for(gateway, tools_dir)
    app = create_agent_server(executor, ping_interval=0.5)
    events = _js_call(node, app, load_persona("new-prospect"))
    assert events[0]["event"] == "connect"
    assert events[-1] == {"event": "disconnect", "reason": "agent"}
    assert [lead["Email"] for lead in gateway.state.store["Lead"]] == ["priya.natarajan@brightwave-analytics.com"]
    conv = app.state.conversations[-1]
    assert conv.log[0]["source"] == "js_sdk" and conv.log[0]["user_id"] == "js-user"


def test_js_sdk_whole_call_on_the_embedded_org(stack: Stack) -> None:
    """Through the real gateway: the JS SDK's whole call leaves the Lead in the org."""
    from runner_org import org_query

    node = _require_node()
    app = create_agent_server(stack.executor(), ping_interval=0.5)
    events = _js_call(node, app, load_persona("new-prospect", tag="js"))
    assert events[-1] == {"event": "disconnect", "reason": "agent"}
    rows = org_query(
        stack, "SELECT Id, Name, Company FROM Lead WHERE Email = 'priya.natarajanjs@brightwave-analytics.com'"
    )
    assert [(r["Name"], r["Company"]) for r in rows] == [("Priya Natarajan", "Brightwave Analyticsjs")]
