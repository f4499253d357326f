"""A small stateful fake of the ElevenLabs tools API on a real loopback server.

`GET/POST /v1/convai/tools`, `GET/PATCH /v1/convai/tools/{id}`, checking `xi-api-key`. Like the real
API, answers carry every field filled in (nulls, empty lists, defaults), `access_info` and
`usage_stats`, and the list is paginated with `cursor` / `has_more` / `next_cursor`. The agent-testing
endpoints are in `tool_json_fake_tests_api` (`state.testing`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tool_json_fake_api import API_KEY, FakeToolsApi


def _handler(state: FakeToolsApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            state.requests.append((method, parts.path))
            if self.headers.get("xi-api-key") != API_KEY:
                self._send(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            segments = parts.path.strip("/").split("/")
            testing = state.testing.route(method, segments, parse_qs(parts.query), body)
            if testing is not None:
                self._send(*testing)
                return
            if segments[:3] != ["v1", "convai", "tools"] or len(segments) > 4:
                self._send(404, {"detail": "Not Found"})
                return
            tool_id = segments[3] if len(segments) == 4 else None
            if tool_id is None and method == "GET":
                query = parse_qs(parts.query)
                ids = sorted(state.tools)
                start = int(query.get("cursor", ["0"])[0])
                size = min(int(query.get("page_size", ["30"])[0]), state.page_size_cap)
                page = ids[start : start + size]
                more = start + size < len(ids)
                self._send(
                    200,
                    {
                        "tools": [state.answer(i) for i in page],
                        "has_more": more,
                        "next_cursor": str(start + size) if more else None,
                    },
                )
            elif tool_id is None and method == "POST":
                new_id = f"tool_{len(state.tools) + 1:04d}"
                assert body is not None
                state.tools[new_id] = body["tool_config"]
                self._send(200, state.answer(new_id))
            elif tool_id not in state.tools:
                self._send(404, {"detail": {"status": "tool_not_found", "message": "Tool not found"}})
            elif method == "GET":
                self._send(200, state.answer(tool_id))
            elif method == "PATCH":
                assert body is not None
                state.tools[tool_id] = body["tool_config"]
                self._send(200, state.answer(tool_id))
            else:
                self._send(405, {"detail": "Method Not Allowed"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

        def do_PUT(self) -> None:
            self._route("PUT")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@pytest.fixture
def fake_elevenlabs() -> Iterator[FakeToolsApi]:
    """The fake tools API on 127.0.0.1:<ephemeral>; `state.url` is the SDK's base_url."""
    state = FakeToolsApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def shared_dir() -> Path:
    """../shared next to the repo, or skip."""
    path = Path(__file__).resolve().parents[2] / ".." / "shared"
    if not path.is_dir():
        pytest.skip("../shared is not available")
    return path


def _run_cli(argv: list[str]) -> int:
    from service.cli import main

    return main(argv)


@pytest.fixture
def cli() -> Callable[[list[str]], int]:
    """Run `python -m service <argv>` in-process (`service.cli.main`: its settings check, its error line)."""
    return _run_cli


@pytest.fixture
def elevenlabs_env(monkeypatch: pytest.MonkeyPatch, fake_elevenlabs: FakeToolsApi) -> Iterator[FakeToolsApi]:
    """ELEVENLABS_API_KEY / ELEVENLABS_BASE_URL pointing the CLI at the fake."""
    from service.settings import get_settings

    monkeypatch.setenv("ELEVENLABS_API_KEY", API_KEY)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", fake_elevenlabs.url)
    monkeypatch.delenv("TOOL_TIMEOUT", raising=False)
    get_settings.cache_clear()
    yield fake_elevenlabs
    get_settings.cache_clear()


@pytest.fixture
def seed_tools(shared_dir: Path) -> dict[str, dict[str, Any]]:
    """The seed's three tool JSONs, by name, extracted from ../shared/seed/."""
    import re

    seeds = sorted((shared_dir / "seed").glob("000_*.txt"))
    if not seeds:
        pytest.skip("seed document not found")
    text = seeds[0].read_text(encoding="utf-8")
    docs = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]
    tools = {doc["name"]: doc for doc in docs if doc.get("type") == "webhook"}
    assert len(tools) == 3
    return tools


@pytest.fixture(scope="session")
def persona_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The embedded org + gateway for recording personas, shared by the agent-tests modules."""
    from service.runner.stack import Stack

    with Stack(data_dir=tmp_path_factory.mktemp("agent-tests-org")) as stack:
        yield stack


@pytest.fixture(scope="session")
def persona_runs(persona_stack: Any) -> list[Any]:
    """Every persona recorded once on `persona_stack`: [(Persona, CallRecord)]."""
    import asyncio

    from service.runner.callers import PERSONA_NAMES
    from service.tool_json.agent_tests.record import record_personas

    return asyncio.run(record_personas(persona_stack, PERSONA_NAMES))
