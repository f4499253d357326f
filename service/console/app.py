"""The console app: the page and its bundle, the agent server (same origin), and the console's own API.

GET  /                              the page (`?persona=<name>&autostart=1` starts that persona)
GET  /static/...                    the bundled front-end (built from `web/`, see `assets.py`)
GET  /api/info                      personas, voice on/off, gateway URL
POST /api/personas/{name}/runs      prepare a persona run → {run_id, persona, dynamic_variables}
POST /api/calls/{id}/respond        the persona's next line for the agent's words → {say: str | null}
GET  /api/calls, /api/calls/{id}    the calls list, one call (with its events)
WS   /api/calls/{id}/live           the call's events so far, then each one as it happens
GET  /api/reports/{file}            a call's HTML report
GET  /api/crm/search?q=...          salesforce_search_records; GET /api/crm/records/{object}/{id}: the get tool
WS   /v1/convai/conversation        the agent server (ElevenLabs conversation protocol)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from service.console import assets
from service.console.calls import RUN_VARIABLE, CallBook
from service.console.crm import crm_query, read_tool
from service.runner.base import GET, SEARCH
from service.runner.callers import PERSONA_NAMES, load_persona
from service.runner.conversation import AgentFactory
from service.runner.server import create_agent_server
from service.runner.speech import SpeechFactory
from service.runner.webhooks import WebhookExecutor

REPORT_NAME = re.compile(r"call-[\w.-]+\.(html|wav)")  # reports and recordings: no path separators
MEDIA_TYPES = {".html": "text/html", ".wav": "audio/wav"}


class AgentWords(BaseModel):
    """What the agent just said, for the persona to answer."""

    text: str


def create_console_app(
    executor: WebhookExecutor,
    *,
    reports_dir: Path,
    agent_factory: AgentFactory | None = None,
    speech_factory: SpeechFactory | None = None,
    agent_kind: str = "rules",
    gateway_url: str | None = None,
    ping_interval: float = 10.0,
) -> FastAPI:
    """The console; its lifespan closes the executor (its connections belong to the serving loop)."""
    book = CallBook(executor, reports_dir, agent_kind=agent_kind)
    agent_server = create_agent_server(
        executor,
        agent_factory=agent_factory,
        speech_factory=speech_factory,
        ping_interval=ping_interval,
        on_event=book.on_event,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await book.aclose()
            await executor.aclose()

    app = FastAPI(title="Sales console", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.book = book
    app.state.agent_server = agent_server
    app.include_router(agent_server.router)
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR, check_dir=False), name="static")

    @app.get("/", response_class=HTMLResponse)
    async def index() -> HTMLResponse:
        return HTMLResponse(assets.index_html(), headers={"Cache-Control": "no-store"})

    @app.get("/api/info")
    async def info() -> dict[str, Any]:
        return {
            "personas": list(PERSONA_NAMES),
            "descriptions": {name: load_persona(name).description for name in PERSONA_NAMES},
            "voice": speech_factory is not None,
            "gateway": gateway_url,
            "agent": agent_kind,
            "run_variable": RUN_VARIABLE,
        }

    @app.post("/api/personas/{name}/runs")
    async def new_run(name: str) -> dict[str, Any]:
        if name not in PERSONA_NAMES:
            raise HTTPException(404, f"unknown persona {name!r}; choose from {', '.join(PERSONA_NAMES)}")
        try:
            run = await book.prepare(name)
        except RuntimeError as exc:  # fixtures could not be made: the gateway said why
            raise HTTPException(502, str(exc)) from exc
        persona = run.persona
        return {
            "run_id": run.id,
            "persona": persona.name,
            "description": persona.description,
            "caller": persona.full_name,
            "dynamic_variables": {RUN_VARIABLE: run.id},
        }

    @app.post("/api/calls/{conversation_id}/respond")
    async def respond(conversation_id: str, words: AgentWords) -> dict[str, Any]:
        await asyncio.sleep(0)  # let an end_call that follows the agent's last words be recorded first
        try:
            return {"say": book.respond(conversation_id, words.text)}
        except KeyError as exc:
            raise HTTPException(404, f"no persona call {conversation_id!r}") from exc

    @app.get("/api/calls")
    async def calls() -> list[dict[str, Any]]:
        return [call.summary() for call in reversed(book.calls.values())]

    @app.get("/api/calls/{conversation_id}")
    async def one_call(conversation_id: str) -> dict[str, Any]:
        call = book.calls.get(conversation_id)
        if call is None:
            raise HTTPException(404, f"no call {conversation_id!r}")
        return {**call.summary(), "events": call.history}

    @app.websocket("/api/calls/{conversation_id}/live")
    async def live(ws: WebSocket, conversation_id: str) -> None:
        await ws.accept()
        call = book.calls.get(conversation_id)
        if call is None:
            await ws.close(1008, "no such call")
            return
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for message in call.history:
            queue.put_nowait(message)
        call.listeners.add(queue)
        try:
            while True:
                message = await queue.get()
                await ws.send_json(message)
                if message["type"] == "ended":
                    await ws.close(1000)
                    return
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            call.listeners.discard(queue)

    @app.get("/api/reports/{name}")
    async def report(name: str) -> FileResponse:
        path = reports_dir / name
        if not REPORT_NAME.fullmatch(name) or not await asyncio.to_thread(path.is_file):
            raise HTTPException(404, "no such report")
        return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])

    @app.get("/api/crm/search")
    async def crm_search(q: str, object: str = "Lead") -> dict[str, Any]:
        try:
            soql = crm_query(object, q)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return {**await read_tool(executor, SEARCH, {"q": soql}), "query": soql}

    @app.get("/api/crm/records/{object_type}/{record_id}")
    async def crm_record(object_type: str, record_id: str) -> dict[str, Any]:
        return await read_tool(executor, GET, {"object_type": object_type, "record_id": record_id})

    return app
