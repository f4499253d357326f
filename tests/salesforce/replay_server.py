"""A loopback HTTP server that answers with a cassette's recorded responses.

Replaying over real HTTP (instead of vcrpy patching the transport) sends the client's requests
through the same transport, pool and error mapping as production. Requests are matched on method,
path and query (the host is this server's); each recorded interaction is served once, in order.
The recorded origin in the answers (`scripts.contract.ORIGIN`) is rewritten to this server's URL,
so the token's `instance_url` points back here. A request with no recorded answer gets a 599
and is listed in `unmatched`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml
from aiohttp import web

from scripts.contract import ORIGIN

# Framing is this server's business: the recorded bodies are stored decoded.
_DROPPED = frozenset({"content-length", "content-encoding", "transfer-encoding", "connection"})


def _key(method: str, path: str, query: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return method.upper(), path, tuple(sorted(parse_qsl(query, keep_blank_values=True)))


@dataclass
class ReplayServer:
    """The cassette's interactions, and what was served from them."""

    interactions: list[dict[str, Any]]
    url: str = ""
    played: list[int] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        wanted = _key(request.method, request.rel_url.raw_path, request.rel_url.raw_query_string)
        for index, item in enumerate(self.interactions):
            uri = urlsplit(item["request"]["uri"])
            if index not in self.played and _key(item["request"]["method"], uri.path, uri.query) == wanted:
                self.played.append(index)
                return self._answer(item["response"])
        self.unmatched.append(f"{request.method} {request.rel_url}")
        return web.Response(status=599, text="no recorded answer")

    def _answer(self, recorded: dict[str, Any]) -> web.Response:
        raw = recorded["body"]["string"]
        body = (raw.decode() if isinstance(raw, bytes) else str(raw)).replace(ORIGIN, self.url)
        headers = [(name, value) for name, values in recorded["headers"].items() for value in values]
        kept = [(n, v.replace(ORIGIN, self.url)) for n, v in headers if n.lower() not in _DROPPED]
        status = recorded["status"]
        return web.Response(status=status["code"], reason=status["message"], body=body.encode(), headers=kept)


def load(cassette: Path) -> list[dict[str, Any]]:
    """The recorded interactions of a cassette file."""
    interactions: list[dict[str, Any]] = yaml.safe_load(cassette.read_text())["interactions"]
    return interactions


@asynccontextmanager
async def replaying(cassette: Path) -> AsyncIterator[ReplayServer]:
    """Serve `cassette` on 127.0.0.1 (an ephemeral port) for the duration of the block."""
    server = ReplayServer(load(cassette))
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()
