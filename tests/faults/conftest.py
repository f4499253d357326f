"""Fixtures for the fault drills: a tiny Salesforce-shaped app and a loopback uvicorn runner."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.org.faults import Faults, install


def tiny_org(records: list[dict[str, Any]], faults: Faults) -> Starlette:
    """A Salesforce-shaped app with token, query, get and create; creates append to `records`."""

    async def token(request: Request) -> JSONResponse:
        return JSONResponse({"access_token": "00Dx!tok", "instance_url": "http://x", "token_type": "Bearer"})

    async def query(request: Request) -> JSONResponse:
        return JSONResponse({"totalSize": len(records), "done": True, "records": records})

    async def get(request: Request) -> JSONResponse:
        return JSONResponse({"Id": request.path_params["rid"]})

    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        rid = f"00Q{len(records):015d}"
        records.append({"Id": rid, **body})
        return JSONResponse({"id": rid, "success": True, "errors": []}, status_code=201)

    base = "/services/data/v58.0"
    app = Starlette(
        routes=[
            Route("/services/oauth2/token", token, methods=["POST"]),
            Route(f"{base}/query", query),
            Route(f"{base}/sobjects/{{obj}}/{{rid}}", get),
            Route(f"{base}/sobjects/{{obj}}", create, methods=["POST"]),
        ]
    )
    install(app, faults)
    return app


@pytest.fixture
def make_tiny_org() -> Callable[[list[dict[str, Any]], Faults], Starlette]:
    """`make_tiny_org(records, faults)` → the tiny app with `faults` installed."""
    return tiny_org


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One seeded org database, copied for every drill cell."""
    from benchmarks.drills import Template

    built = Template(Path(tmp_path_factory.mktemp("drills")))
    yield built
    built.cleanup()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        return None


@pytest.fixture
def serve() -> Iterator[Callable[[Starlette], str]]:
    """`serve(app)` runs `app` under uvicorn on 127.0.0.1:<ephemeral> and returns its base URL."""
    running: list[tuple[_Server, threading.Thread]] = []

    def start(app: Starlette) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = _Server(uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        running.append((server, thread))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)
